/**
 * Alignment and uniformity as the objective (Wang & Isola 2020, SsnL/align_uniform): an
 * encoder whose L2-normalised embeddings are pulled together across views and spread over the
 * sphere. Defaults from the official examples (stl10/main.py): a linear embedding head to 128,
 * weights 1 and 1, α 2, t 2; SGD momentum 0.9, lr 0.12 at batch 768 (0.04 per 256 here, scaled
 * linearly), weight decay 1e-4. The two terms are logged per step.
 */
import * as tf from '@tensorflow/tfjs-core';
import { alignUniformTerms } from '../losses';
import { num, positiveInt, sgdDefaults } from './common';
import { linearHead, projectedPair } from './pair';
import type { MethodDefinition } from './types';

export const alignuniform: MethodDefinition = {
  name: 'alignuniform',
  summary: "Wang & Isola's alignment + uniformity of the embeddings on the hypersphere",
  reference: 'Wang & Isola, Understanding Contrastive Representation Learning through Alignment and Uniformity on the Hypersphere (ICML 2020); code: github.com/SsnL/align_uniform',
  preset: 'simclr',
  params: { projOut: 128, alignWeight: 1, uniformWeight: 1, alpha: 2, t: 2 },
  train: sgdDefaults(0.04, 1e-4, 0),
  validate(p) {
    for (const k of ['alignWeight', 'uniformWeight']) if (!(num(p, k) >= 0)) throw new Error(`option ${k} must be ≥ 0`);
    for (const k of ['alpha', 't']) if (!(num(p, k) > 0)) throw new Error(`option ${k} must be > 0`);
  },
  build(makeBackbone, featureDim, p) {
    const [wa, wu, alpha, t] = [num(p, 'alignWeight'), num(p, 'uniformWeight'), num(p, 'alpha'), num(p, 't')];
    return projectedPair('alignuniform', makeBackbone, featureDim, linearHead(positiveInt(p, 'projOut')), (z1, z2) => {
      const terms = alignUniformTerms(z1, z2, alpha, t);
      return { loss: tf.add(tf.mul(terms.alignment, wa), tf.mul(terms.uniformity, wu)) as tf.Scalar, metrics: { ...terms } };
    });
  },
};
