/**
 * Barlow Twins (Zbontar et al. 2021, facebookresearch/barlowtwins; solo-learn
 * methods/barlow_twins.py): drive the cross-correlation of the two views' standardised
 * projections to the identity. CIFAR defaults from solo-learn's barlow.yaml: projector
 * 2048 → 2048 (3 layers), λ 0.0051, loss scaled by 0.1, LARS lr 0.3, weight decay 1e-4, η 0.02.
 * Deliberate difference, for every LARS recipe: clip_lr off (solo/utils/lars.py; every
 * scripts/pretrain/cifar/*.yaml sets it on). Clipping makes a layer's step min(trust, lr)
 * instead of trust·lr, up to 1/lr times longer; without warm-up (a short run has none: 10 % of
 * 2 epochs rounds to 0) solo-learn's own Barlow Twins then collapses: 51.5 % kNN top-1 with
 * it vs 67.9 % without, 2 epochs of the Fashion-MNIST sample, seed 0 (issue 17). `--clip-lr`
 * (train option clipLr, recorded in the run's config) turns it on.
 */
import * as tf from '@tensorflow/tfjs-core';
import { mlpHead, threeLayer } from '../heads/mlp';
import { barlowTwinsLoss } from '../losses';
import { forward, larsDefaults, num, positiveInt } from './common';
import { defineModel } from './model';
import type { MethodDefinition } from './types';

export const barlow: MethodDefinition = {
  name: 'barlow',
  summary: 'redundancy reduction: cross-correlation of the two views → identity',
  reference: 'Zbontar et al., Barlow Twins (ICML 2021)',
  preset: 'barlow',
  params: { projHidden: 2048, projOut: 2048, lambda: 0.0051, scaleLoss: 0.1 },
  train: larsDefaults(0.3, 1e-4),
  validate(p) {
    if (num(p, 'lambda') < 0) throw new Error('option lambda must be ≥ 0');
  },
  build(makeBackbone, featureDim, p) {
    const backbone = makeBackbone();
    const projector = mlpHead('barlow-projector', featureDim, threeLayer(positiveInt(p, 'projHidden'), positiveInt(p, 'projOut')));
    return defineModel(
      { backbone, heads: { projector } },
      {
        loss: ({ views }) => {
          const z1 = forward(views[0]!, backbone, projector);
          const z2 = forward(views[1]!, backbone, projector);
          return { loss: tf.mul(barlowTwinsLoss(z1, z2, num(p, 'lambda')), num(p, 'scaleLoss')) };
        },
      },
    );
  },
};
