/**
 * The two baselines every comparison needs: a supervised encoder (cross-entropy on the labels,
 * same backbone; an upper reference) and the randomly initialised encoder (a lower reference:
 * what the architecture gives before any training). The supervised views are a random resized
 * crop (scale 0.2–1) and a flip, without colour augmentation.
 */
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { forward, sgdDefaults } from './common';
import { defineModel } from './model';
import type { MethodDefinition } from './types';
import { PretextError } from '../../core/errors';

export const supervised: MethodDefinition = {
  name: 'supervised',
  summary: 'baseline: cross-entropy on the labels with the same backbone',
  reference: 'standard supervised training (softmax cross-entropy)',
  preset: (size) => [
    {
      name: 'view-1',
      size,
      crop: { scale: [0.2, 1], ratio: [3 / 4, 4 / 3] },
      flipProb: 0.5,
      colorJitter: null,
      grayscaleProb: 0,
      blur: null,
      solarize: null,
    },
  ],
  params: {},
  train: sgdDefaults(0.1, 5e-4, 0),
  minClasses: 2,
  build(makeBackbone, featureDim, _p, numClasses) {
    if (numClasses < 2) throw new PretextError('the supervised baseline needs a labelled dataset with at least 2 classes');
    const backbone = makeBackbone();
    const classifier = tfl.sequential({ name: 'classifier', layers: [tfl.layers.dense({ units: numClasses, inputShape: [featureDim] })] });
    return defineModel(
      { backbone, heads: { classifier } },
      {
        loss: ({ views, labels }) => {
          const logits = forward(views[0]!, backbone, classifier);
          return { loss: tf.losses.softmaxCrossEntropy(tf.oneHot(labels, numClasses), logits) as tf.Scalar };
        },
      },
    );
  },
};

export const randomInit: MethodDefinition = {
  name: 'random',
  summary: 'baseline: the randomly initialised backbone, never trained',
  reference: 'lower reference for every evaluation',
  preset: supervised.preset,
  params: {},
  train: { ...supervised.train },
  build(makeBackbone) {
    const backbone = makeBackbone();
    return defineModel(
      { backbone, trains: false },
      {
        loss: () => {
          throw new Error('the random-init baseline has no loss');
        },
      },
    );
  },
};
