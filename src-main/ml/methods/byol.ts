/**
 * BYOL (Grill et al. 2020, deepmind-research/byol; solo-learn methods/byol.py): an online
 * backbone + projector + predictor regresses the EMA target's projection of the other view;
 * symmetric loss 2 − 2·cos summed over both directions. τ goes from 0.99 to 1 on a cosine.
 * CIFAR defaults from solo-learn's byol.yaml: projector 4096 → 256, predictor 4096,
 * LARS lr 1.0, weight decay 1e-5, η 0.02.
 * LARS's clip_lr is off (solo-learn's yaml: on; `--clip-lr` turns it on): see barlow.ts.
 */
import * as tf from '@tensorflow/tfjs-core';
import { bnTwoLayer, mlpHead } from '../heads/mlp';
import { byolLoss } from '../losses';
import { cosineMomentum } from '../train/schedule';
import { MomentumPair, forward, larsDefaults, num, positiveInt } from './common';
import { defineModel } from './model';
import type { MethodDefinition } from './types';

export const byol: MethodDefinition = {
  name: 'byol',
  summary: 'bootstrap: predict an EMA target network, no negatives',
  reference: 'Grill et al., Bootstrap Your Own Latent (NeurIPS 2020)',
  preset: 'byol',
  params: { projHidden: 4096, projOut: 256, predHidden: 4096, baseTau: 0.99, finalTau: 1 },
  train: larsDefaults(1.0, 1e-5),
  validate(p) {
    const base = num(p, 'baseTau');
    const final = num(p, 'finalTau');
    if (!(base >= 0 && base <= final && final <= 1)) throw new Error('options need 0 ≤ baseTau ≤ finalTau ≤ 1');
  },
  build(makeBackbone, featureDim, p) {
    const hidden = positiveInt(p, 'projHidden');
    const out = positiveInt(p, 'projOut');
    const backbone = makeBackbone();
    const projector = mlpHead('byol-projector', featureDim, bnTwoLayer(hidden, out));
    const predictor = mlpHead('byol-predictor', out, bnTwoLayer(positiveInt(p, 'predHidden'), out));
    const targetBackbone = makeBackbone();
    const targetProjector = mlpHead('byol-target-projector', featureDim, bnTwoLayer(hidden, out));
    const pair = new MomentumPair([backbone, projector], [targetBackbone, targetProjector]);
    return defineModel(
      { backbone, heads: { projector, predictor }, copies: { targetBackbone, targetProjector } },
      {
        targets: ({ views }) => views.slice(0, 2).map((v) => tf.tidy(() => pair.targetForward(v))),
        loss: ({ views }, [z1, z2]) => {
          const p1 = forward(views[0]!, backbone, projector, predictor);
          const p2 = forward(views[1]!, backbone, projector, predictor);
          return { loss: tf.add(byolLoss(p1, z2 as tf.Tensor2D), byolLoss(p2, z1 as tf.Tensor2D)) };
        },
        afterStep: ({ step, totalSteps }) => pair.update(cosineMomentum(step, totalSteps, num(p, 'baseTau'), num(p, 'finalTau'))),
      },
    );
  },
};
