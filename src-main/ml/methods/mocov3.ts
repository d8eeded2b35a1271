/**
 * MoCo v3 (Chen, Xie, He, "An Empirical Study of Training Self-Supervised Vision Transformers",
 * ICCV 2021; facebookresearch/moco-v3 moco/builder.py `MoCo_ResNet` and main_moco.py; CIFAR
 * settings from solo-learn solo/methods/mocov3.py and scripts/pretrain/cifar/mocov3.yaml).
 * An online backbone + projector + predictor and a momentum backbone + projector (EMA, momentum
 * 0.99 → 1 on a cosine of the step, as main_moco.py's adjust_moco_momentum and solo-learn's
 * base_tau/final_tau); no queue: each view's query contrasts with the other view's keys of the
 * batch, loss = ctr(q1, k2) + ctr(q2, k1), each InfoNCE scaled by 2τ (losses/mocov3.ts).
 * Heads as builder.py's _build_mlp for ResNets and solo-learn, linear layers without bias:
 * projector Linear → BN → ReLU → Linear → BN (no affine), 4096 → 256 (projLayers 3 is the ViT
 * projector of builder.py's MoCo_ViT and solo-learn); predictor Linear → BN → ReLU → Linear,
 * 4096 → 256. Defaults from solo-learn's cifar/mocov3.yaml: τ 0.2 (the official main_moco.py's
 * default is 1.0, used for ResNets; 0.2 is its ViT value), LARS lr 0.3, weight decay 1e-6, η 0.02,
 * bias and norm excluded, batch 256, augmentations asymmetric.yaml (the 'byol' preset).
 * Nothing here depends on the backbone's kind: any backbone of the registry that returns pooled
 * features (ResNets, a ViT's class token) trains with it.
 * On a ViT backbone the official ViT recipe replaces those (backboneDefaults, main_moco.py's
 * ViT command line in the repo's CONFIG.md and vits.py): AdamW, lr 1.5e-4 per 256 images,
 * weight decay 0.1 (on every parameter, as main_moco.py builds AdamW over model.parameters()),
 * 40 warm-up epochs (at most 10% of a short run), τ 0.2, projector of 3 layers (MoCo_ViT),
 * momentum 0.99, and the patch projection frozen at its random initialisation
 * (`freezePatchEmbed`, vits.py `stop_grad_conv1`: backbones/vitParts.ts); the user's options
 * still win. MoCo v3's ViT has fixed 2-D sin-cos position embeddings; ours stay learned.
 * Deliberate differences: one process (no all-gather of keys, so the negatives are the batch's
 * own).
 */
import * as tf from '@tensorflow/tfjs-core';
import type * as tfl from '@tensorflow/tfjs-layers';
import { isViTBackbone } from '../backbones/registry';
import { freezePatchProjection, isViTModel } from '../backbones/vitParts';
import { mlpHead, type HeadBlock } from '../heads/mlp';
import { mocoV3Loss } from '../losses';
import { cosineMomentum } from '../train/schedule';
import { MomentumPair, disposeModels, forward, larsDefaults, num, positiveInt } from './common';
import { defineModel } from './model';
import { checkTemperature } from './pair';
import type { MethodDefinition } from './types';

/**
 * builder.py's _build_mlp (and solo-learn's): `layers` linear layers without bias, BN and ReLU
 * after each hidden one; with `lastBn` a BN without affine parameters after the last (the
 * projector's; the predictor has none).
 */
const buildMlp = (layers: number, hidden: number, out: number, lastBn: boolean): HeadBlock[] => [
  ...Array.from({ length: layers - 1 }, () => ({ out: hidden, batchNorm: true, relu: true })),
  { out, batchNorm: lastBn, relu: false, affine: false, bias: false },
];

export const mocov3: MethodDefinition = {
  name: 'mocov3',
  summary: 'momentum encoder, predictor, symmetric InfoNCE within the batch (no queue)',
  reference: 'Chen, Xie & He, An Empirical Study of Training Self-Supervised Vision Transformers (ICCV 2021); code: github.com/facebookresearch/moco-v3',
  preset: 'byol',
  params: { projHidden: 4096, projOut: 256, projLayers: 2, predHidden: 4096, temperature: 0.2, baseTau: 0.99, finalTau: 1, freezePatchEmbed: false },
  train: larsDefaults(0.3, 1e-6),
  backboneDefaults: (backbone) =>
    isViTBackbone(backbone)
      ? {
          train: { optimizer: 'adamw', lr: 1.5e-4, weightDecay: 0.1, warmupEpochs: 40, excludeBiasAndNorm: false },
          params: { temperature: 0.2, projLayers: 3, baseTau: 0.99, freezePatchEmbed: true },
          note: 'MoCo v3 ViT recipe (facebookresearch/moco-v3 main_moco.py, vits.py): AdamW lr 1.5e-4 per 256, weight decay 0.1, τ 0.2, 3-layer projector, patch projection frozen (stop_grad_conv1)',
        }
      : undefined,
  validate(p) {
    checkTemperature(num(p, 'temperature'));
    const [base, final] = [num(p, 'baseTau'), num(p, 'finalTau')];
    if (!(base >= 0 && base <= final && final <= 1)) throw new Error('options need 0 ≤ baseTau ≤ finalTau ≤ 1');
  },
  build(makeBackbone, featureDim, p) {
    const out = positiveInt(p, 'projOut');
    const temperature = num(p, 'temperature');
    // The online branch and its momentum copy: a backbone and a projector each.
    const branch = (name: string): [tfl.LayersModel, tfl.LayersModel] => [makeBackbone(), mlpHead(name, featureDim, buildMlp(positiveInt(p, 'projLayers'), positiveInt(p, 'projHidden'), out, true))];
    const [backbone, projector] = branch('mocov3-projector');
    if (p['freezePatchEmbed'] === true && !isViTModel(backbone)) {
      disposeModels(backbone, projector);
      throw new Error(`option freezePatchEmbed freezes a ViT's patch projection; backbone '${backbone.name}' is not a ViT`);
    }
    const predictor = mlpHead('mocov3-predictor', out, buildMlp(2, positiveInt(p, 'predHidden'), out, false));
    const [momentumBackbone, momentumProjector] = branch('mocov3-momentum-projector');
    const pair = new MomentumPair([backbone, projector], [momentumBackbone, momentumProjector]);
    // stop_grad_conv1: after the copy, so both branches keep the same fixed random projection.
    if (p['freezePatchEmbed'] === true) for (const net of [backbone, momentumBackbone]) freezePatchProjection(net);
    const online = [backbone, projector, predictor];
    return defineModel(
      { backbone, heads: { projector, predictor }, copies: { momentumBackbone, momentumProjector } },
      {
        // k1, k2: the momentum branch's projections of the two views, without gradient.
        targets: ({ views }) => [0, 1].map((i) => tf.tidy(() => pair.targetForward(views[i]!))),
        loss: ({ views }, keys) => {
          const [q1, q2] = [0, 1].map((i) => forward(views[i]!, ...online));
          return { loss: tf.add(mocoV3Loss(q1!, keys[1] as tf.Tensor2D, temperature), mocoV3Loss(q2!, keys[0] as tf.Tensor2D, temperature)) };
        },
        afterStep: ({ step, totalSteps }) => pair.update(cosineMomentum(step, totalSteps, num(p, 'baseTau'), num(p, 'finalTau'))),
      },
    );
  },
};
