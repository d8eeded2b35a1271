/**
 * SimSiam (Chen & He 2021, facebookresearch/simsiam; solo-learn methods/simsiam.py): a
 * predictor on one branch, stop-gradient on the other, loss −cos averaged over both
 * directions. CIFAR defaults from solo-learn's simsiam.yaml: projector 2048 → 2048 (3 layers,
 * last BN without affine), predictor 512, SGD lr 0.5, weight decay 1e-5. The predictor keeps
 * the base lr, without warm-up or cosine (official main_simsiam.py --fix-pred-lr; solo-learn
 * simsiam.py learnable_params `static_lr: True`).
 */
import * as tf from '@tensorflow/tfjs-core';
import { bnTwoLayer, mlpHead, simSiamProjector } from '../heads/mlp';
import { simSiamLoss, stopGradient } from '../losses';
import { forward, positiveInt, sgdDefaults } from './common';
import { defineModel } from './model';
import type { MethodDefinition } from './types';

export const simsiam: MethodDefinition = {
  name: 'simsiam',
  summary: 'siamese with a predictor and stop-gradient, no negatives',
  reference: 'Chen & He, Exploring Simple Siamese Representation Learning (CVPR 2021)',
  preset: 'simsiam',
  params: { projHidden: 2048, projOut: 2048, predHidden: 512 },
  train: sgdDefaults(0.5, 1e-5),
  build(makeBackbone, featureDim, p) {
    const out = positiveInt(p, 'projOut');
    const backbone = makeBackbone();
    const projector = mlpHead('simsiam-projector', featureDim, simSiamProjector(positiveInt(p, 'projHidden'), out));
    const predictor = mlpHead('simsiam-predictor', out, bnTwoLayer(positiveInt(p, 'predHidden'), out));
    return defineModel(
      { backbone, heads: { projector, predictor }, groups: { predictor: { fixedLr: true } } },
      {
        loss: ({ views }) => {
          const z1 = forward(views[0]!, backbone, projector);
          const z2 = forward(views[1]!, backbone, projector);
          const p1 = forward(z1, predictor);
          const p2 = forward(z2, predictor);
          return { loss: tf.div(tf.add(simSiamLoss(p1, stopGradient(z2)), simSiamLoss(p2, stopGradient(z1))), 2) };
        },
      },
    );
  },
};
