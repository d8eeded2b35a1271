/**
 * SimCLR v2 (Chen et al. 2020, "Big Self-Supervised Models are Strong Semi-Supervised
 * Learners", google-research/simclr tf2): SimCLR with a deeper projection head: three layers
 * with batch norm (heads/mlp.ts simclrV2Projector), 2048 → 128 as in the official
 * proj_out_dim. The loss (NT-Xent) and training defaults are SimCLR's here (solo-learn's CIFAR
 * simclr.yaml: τ 0.2, LARS lr 0.4, weight decay 1e-5), so the two differ only by the head.
 * `evalLayers` chooses the evaluated encoder (ml/methods/evaluation.ts): 0, the backbone, as
 * every method (the default, so numbers compare across methods); 1 or 2, the backbone and that
 * many projector layers (linear, BN, ReLU each): SimCLR v2 fine-tunes from the first
 * (the paper's §2; tf2 `ft_proj_selector`).
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
  params: { projHidden: 2048, projOut: 128, temperature: 0.2, evalLayers: 0 },
  train: larsDefaults(0.4, 1e-5),
  validate(p, train) {
    simclr.validate!(p, train);
    const n = num(p, 'evalLayers');
    if (![0, 1, 2].includes(n)) throw new Error(`option evalLayers must be 0 (the backbone), 1 or 2 (projector layers), got ${n}`);
  },
  evaluation: (p) => (num(p, 'evalLayers') > 0 ? { head: { network: 'projector', layers: 3 * num(p, 'evalLayers') } } : {}),
  build(makeBackbone, featureDim, p) {
    const t = num(p, 'temperature');
    return projectedPair('simclrv2', makeBackbone, featureDim, simclrV2Projector(positiveInt(p, 'projHidden'), positiveInt(p, 'projOut')), (z1, z2) => ({
      loss: ntXentLoss(z1, z2, t),
    }));
  },
};
