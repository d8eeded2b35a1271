/**
 * Invariance and spreading (Ye et al. 2019, mangye16/Unsupervised_Embedding_Learning): instance
 * discrimination within the batch, no memory bank: each image's augmented view is its positive,
 * the batch's other images its negatives (losses/invaspread.ts). Defaults from the official
 * demo_seen.py: a linear embedding head to 128 on the ResNet, t 0.1; SGD lr 0.03, momentum 0.9,
 * weight decay 5e-4, batch 128 (lr 0.06 per 256 here, scaled linearly), no warm-up.
 */
import { invaSpreadLoss } from '../losses';
import { num, positiveInt, sgdDefaults } from './common';
import { checkTemperature, linearHead, projectedPair } from './pair';
import type { MethodDefinition } from './types';

export const invaspread: MethodDefinition = {
  name: 'invaspread',
  summary: 'instance discrimination within the batch: invariant to augmentation, spread across images',
  reference: 'Ye et al., Unsupervised Embedding Learning via Invariant and Spreading Instance Feature (CVPR 2019); code: github.com/mangye16/Unsupervised_Embedding_Learning',
  preset: 'simclr',
  params: { projOut: 128, temperature: 0.1 },
  train: { ...sgdDefaults(0.06, 5e-4, 0), batch: 128 },
  validate(p) {
    checkTemperature(num(p, 'temperature'));
  },
  build(makeBackbone, featureDim, p) {
    const t = num(p, 'temperature');
    return projectedPair('invaspread', makeBackbone, featureDim, linearHead(positiveInt(p, 'projOut')), (z1, z2) => ({
      loss: invaSpreadLoss(z1, z2, t),
    }));
  },
};
