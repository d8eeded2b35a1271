/**
 * SimCLR (Chen et al. 2020, google-research/simclr; solo-learn methods/simclr.py): a projector
 * Linear → ReLU → Linear on the backbone and the NT-Xent loss over the 2N views. CIFAR defaults
 * from solo-learn's scripts/pretrain/cifar/simclr.yaml (commit 07f8c3bb): projector 2048 → 256,
 * τ 0.2, LARS lr 0.4 (batch 256), weight decay 1e-4 (an older solo-learn bash script had 1e-5),
 * η 0.02, 10 warm-up epochs.
 * LARS's clip_lr is off (solo-learn's yaml: on; `--clip-lr` turns it on): see barlow.ts.
 * `input` 'luminance' trains and evaluates an L-only encoder (EvaluationSpec.input: the views
 * and every evaluated image reach the backbone as luminance, backbones/luminance.ts), as the
 * L encoder of CMC (Tian et al. 2020) sees them; 'rgb' (default) as the paper.
 */
import { twoLayer, mlpHead } from '../heads/mlp';
import { ntXentLoss } from '../losses';
import { forward, larsDefaults, num, positiveInt } from './common';
import { defineModel } from './model';
import type { MethodDefinition } from './types';

export const simclr: MethodDefinition = {
  name: 'simclr',
  summary: 'contrastive: NT-Xent between two views of each image',
  reference: 'Chen et al., A Simple Framework for Contrastive Learning (ICML 2020)',
  preset: 'simclr',
  params: { projHidden: 2048, projOut: 256, temperature: 0.2, input: 'rgb' },
  train: larsDefaults(0.4, 1e-4),
  validate(p) {
    if (num(p, 'temperature') <= 0) throw new Error('option temperature must be > 0');
    // (SimCLR v2 reuses this check and has no input option.)
    if (p['input'] !== undefined && p['input'] !== 'rgb' && p['input'] !== 'luminance') throw new Error(`option input must be 'rgb' or 'luminance', got '${String(p['input'])}'`);
  },
  evaluation: (p) => (p['input'] === 'luminance' ? { input: 'luminance' } : {}),
  build(makeBackbone, featureDim, p) {
    const backbone = makeBackbone();
    const projector = mlpHead('simclr-projector', featureDim, twoLayer(positiveInt(p, 'projHidden'), positiveInt(p, 'projOut')));
    const temperature = num(p, 'temperature');
    return defineModel(
      { backbone, heads: { projector } },
      { loss: ({ views }) => ({ loss: ntXentLoss(forward(views[0]!, backbone, projector), forward(views[1]!, backbone, projector), temperature) }) },
    );
  },
};
