/**
 * DCL, debiased contrastive learning (Chuang et al. 2020, chingyaoc/DCL): SimCLR's two views
 * and projector with the debiased loss (losses/dcl.ts). Defaults from the official main.py and
 * model.py: projector Linear(no bias) → BN → ReLU → Linear, 512 → 128; t 0.5, τ⁺ 0.1; Adam
 * lr 1e-3, weight decay 1e-6, batch 256.
 */
import { bnTwoLayer } from '../heads/mlp';
import { dclLoss } from '../losses';
import { adamDefaults, num, positiveInt } from './common';
import { checkTemperature, projectedPair } from './pair';
import type { MethodDefinition } from './types';

export const dcl: MethodDefinition = {
  name: 'dcl',
  summary: 'contrastive with a debiased negative term (corrects for same-class negatives)',
  reference: 'Chuang et al., Debiased Contrastive Learning (NeurIPS 2020); code: github.com/chingyaoc/DCL',
  preset: 'simclr',
  params: { projHidden: 512, projOut: 128, temperature: 0.5, tauPlus: 0.1 },
  train: adamDefaults(1e-3, 1e-6),
  validate(p) {
    checkTemperature(num(p, 'temperature'));
    const tau = num(p, 'tauPlus');
    if (!(tau >= 0 && tau < 1)) throw new Error('option tauPlus must be in [0, 1)');
  },
  build(makeBackbone, featureDim, p) {
    const [t, tau] = [num(p, 'temperature'), num(p, 'tauPlus')];
    return projectedPair('dcl', makeBackbone, featureDim, bnTwoLayer(positiveInt(p, 'projHidden'), positiveInt(p, 'projOut')), (z1, z2) => ({
      loss: dclLoss(z1, z2, t, tau),
    }));
  },
};
