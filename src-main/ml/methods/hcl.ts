/**
 * HCL, hard negative samples (Robinson et al. 2021, joshr17/HCL): DCL's network with negatives
 * reweighted by exp(β·s/t) (losses/dcl.ts, hclLoss). Defaults from the official image/main.py
 * (built on DCL's): projector 512 → 128 with BN, t 0.5, τ⁺ 0.1, β 1.0; Adam lr 1e-3, weight
 * decay 1e-6, batch 256.
 */
import { bnTwoLayer } from '../heads/mlp';
import { hclLoss } from '../losses';
import { adamDefaults, num, positiveInt } from './common';
import { dcl } from './dcl';
import { projectedPair } from './pair';
import type { MethodDefinition } from './types';

export const hcl: MethodDefinition = {
  name: 'hcl',
  summary: 'contrastive with hard negatives up-weighted (β) and the debiased correction',
  reference: 'Robinson et al., Contrastive Learning with Hard Negative Samples (ICLR 2021); code: github.com/joshr17/HCL',
  preset: 'simclr',
  params: { ...dcl.params, beta: 1 },
  train: adamDefaults(1e-3, 1e-6),
  validate(p, t) {
    dcl.validate!(p, t);
    if (!(num(p, 'beta') >= 0)) throw new Error('option beta must be ≥ 0');
  },
  build(makeBackbone, featureDim, p) {
    const [t, tau, beta] = [num(p, 'temperature'), num(p, 'tauPlus'), num(p, 'beta')];
    return projectedPair('hcl', makeBackbone, featureDim, bnTwoLayer(positiveInt(p, 'projHidden'), positiveInt(p, 'projOut')), (z1, z2) => ({
      loss: hclLoss(z1, z2, t, tau, beta),
    }));
  },
};
