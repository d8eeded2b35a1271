/**
 * SimCLR v2 (Chen et al. 2020, "Big Self-Supervised Models are Strong Semi-Supervised
 * Learners", google-research/simclr tf2): SimCLR with a deeper projection head: three layers
 * with batch norm (heads/mlp.ts simclrV2Projector), 2048 → 128 as in the official
 * proj_out_dim. The loss (NT-Xent) and training defaults are SimCLR's here (solo-learn's CIFAR
 * simclr.yaml: τ 0.2, LARS lr 0.4, weight decay 1e-5), so the two differ only by the head.
 */
import { simclrV2Projector } from '../heads/mlp';
import { ntXentLoss } from '../losses';
import { larsDefaults, num, positiveInt } from './common';
import { projectedPair } from './pair';
import { simclr } from './simclr';
import type { MethodDefinition } from './types';

export const simclrv2: MethodDefinition = {
  name: 'simclrv2',
  summary: 'SimCLR with the three-layer batch-normalised projection head of SimCLR v2',
  reference: 'Chen et al., Big Self-Supervised Models are Strong Semi-Supervised Learners (NeurIPS 2020); code: github.com/google-research/simclr',
  preset: 'simclr',
  params: { projHidden: 2048, projOut: 128, temperature: 0.2 },
  train: larsDefaults(0.4, 1e-5),
  validate: simclr.validate!,
  build(makeBackbone, featureDim, p) {
    const t = num(p, 'temperature');
    return projectedPair('simclrv2', makeBackbone, featureDim, simclrV2Projector(positiveInt(p, 'projHidden'), positiveInt(p, 'projOut')), (z1, z2) => ({
      loss: ntXentLoss(z1, z2, t),
    }));
  },
};
