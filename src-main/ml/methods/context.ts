/**
 * Context prediction (Doersch, Gupta & Efros 2015, relative patch location; the authors' Caffe
 * code: github.com/cdoersch/deepcontext): a centre patch and one of its 8 neighbours from a 3×3
 * layout with a gap and per-patch jitter (the task view 'pair', augment/tasks.ts), the shared
 * patch encoder (the backbone) on both, the two features concatenated → Linear → ReLU → Linear
 * to the 8 positions, cross-entropy.
 *
 * The paper's geometry (96-px patches, a 48-px gap, jitter up to 7 px) scaled to the view:
 * jitter max(1, round(size/48)), patch ⌊(size − 2·jitter)/4⌋, gap ⌊patch/2⌋; views of at least
 * 48 px (28-px images are upsampled), so patches are 11 px on the Fashion-MNIST sample. The
 * chromatic-aberration defence is the paper's colour dropping (2 of 3 channels replaced by
 * noise; on 3-channel images only, see tasks.ts), not projection. Views: a random resized crop
 * (scale 0.6–1) to place the layout anywhere in the image, as the paper samples patches anywhere.
 * Optimiser: SGD lr 0.01, momentum 0.9, weight decay 5e-4, batch 128, the jigsaw recipe (the
 * paper's Caffe solver was tuned for its AlexNet-style net, not reused here).
 */
import * as tf from '@tensorflow/tfjs-core';
import { positiveInt } from './common';
import { run } from '../heads/mlp';
import { defineModel } from './model';
import { classification, classifierHead, targetsOf, taskSpecOf } from './taskCommon';
import type { MethodDefinition } from './types';

/** View size, patch, gap and jitter for images of `size` px. */
export function contextGeometry(imageSize: number): { size: number; patch: number; gap: number; jitter: number } {
  const size = Math.max(48, imageSize);
  const jitter = Math.max(1, Math.round(size / 48));
  const patch = Math.floor((size - 2 * jitter) / 4);
  return { size, patch, gap: Math.floor(patch / 2), jitter };
}

export const context: MethodDefinition = {
  name: 'context',
  summary: 'pretext task: 8-way relative position of a neighbour patch to the centre patch',
  reference: 'Doersch et al., Unsupervised Visual Representation Learning by Context Prediction (ICCV 2015); code: github.com/cdoersch/deepcontext',
  preset: (imageSize) => {
    const { size, patch, gap, jitter } = contextGeometry(imageSize);
    return [
      {
        name: 'pair',
        size,
        crop: { scale: [0.6, 1], ratio: [3 / 4, 4 / 3] },
        flipProb: 0,
        colorJitter: null,
        grayscaleProb: 0,
        blur: null,
        solarize: null,
        task: { kind: 'pair', patch, gap, jitter, colorDrop: true },
      },
    ];
  },
  params: { hidden: 1024 },
  train: { optimizer: 'sgd', lr: 0.01, weightDecay: 5e-4, momentum: 0.9, batch: 128, warmupEpochs: 0, eta: 0.02, excludeBiasAndNorm: false },
  validate(p) {
    positiveInt(p, 'hidden');
  },
  build(makeBackbone, featureDim, p) {
    const backbone = makeBackbone();
    const classifier = classifierHead('context-classifier', 2 * featureDim, positiveInt(p, 'hidden'), 8);
    return defineModel(
      { backbone, heads: { classifier } },
      {
        loss: (input) => {
          taskSpecOf(input.specs, 'context', 'pair');
          const x = input.views[0]!;
          const feats = run(backbone, x, true);
          const logits = run(classifier, tf.reshape(feats, [x.shape[0] / 2, 2 * featureDim]), true);
          return classification(logits, targetsOf(input, 'context'));
        },
      },
    );
  },
};
