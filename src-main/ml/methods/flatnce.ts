/**
 * FlatNCE (Chen et al. 2021): SimCLR's network trained with the FlatNCE objective
 * (losses/flatnce.ts), whose gradient does not vanish at small batches; the logged loss is the
 * InfoNCE value. Defaults are those of the SimCLR code base the official implementation
 * builds on (sthalles/SimCLR run.py): projector Linear → ReLU → Linear, 512 → 128, t 0.07,
 * Adam lr 3e-4, weight decay 1e-4, batch 256.
 */
import { twoLayer } from '../heads/mlp';
import { flatNceLoss } from '../losses';
import { adamDefaults, num, positiveInt } from './common';
import { checkTemperature, projectedPair } from './pair';
import type { MethodDefinition } from './types';

export const flatnce: MethodDefinition = {
  name: 'flatnce',
  summary: 'contrastive with the FlatNCE objective: InfoNCE without the positive in the softmax gradient',
  reference: 'Chen et al., Simpler, Faster, Stronger: Breaking the log-K Curse on Contrastive Learners with FlatNCE (2021)',
  preset: 'simclr',
  params: { projHidden: 512, projOut: 128, temperature: 0.07 },
  train: adamDefaults(3e-4, 1e-4),
  validate(p) {
    checkTemperature(num(p, 'temperature'));
  },
  build(makeBackbone, featureDim, p) {
    const t = num(p, 'temperature');
    return projectedPair('flatnce', makeBackbone, featureDim, twoLayer(positiveInt(p, 'projHidden'), positiveInt(p, 'projOut')), (z1, z2) => ({
      loss: flatNceLoss(z1, z2, t),
    }));
  },
};
