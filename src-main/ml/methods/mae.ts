/**
 * MAE (He et al., Masked Autoencoders Are Scalable Vision Learners, CVPR 2022), following
 * facebookresearch/mae models_mae.py (MaskedAutoencoderViT: random_masking, forward_encoder,
 * forward_decoder, forward_loss) and main_pretrain.py (the recipe). Per image, 75 % of the
 * patch tokens are removed (augment/mask.ts randomMasking, drawn from the step's seed so a
 * resumed run masks the same); the ViT encoder sees the class token and the visible 25 % only
 * (backbones/vit.ts vitTokens with keep); a light decoder (heads/maeDecoder.ts) puts mask
 * tokens in the removed places and predicts every patch's pixels; the loss is the MSE on the
 * per-patch normalised pixels of the removed patches (norm_pix_loss=True, losses/mim.ts).
 * Views: main_pretrain.py's RandomResizedCrop(scale 0.2–1, bicubic) and horizontal flip only.
 * Optimiser as main_pretrain.py: AdamW β (0.9, 0.95), lr 1.5e-4 per 256 images (blr·bs/256),
 * weight decay 0.05 with biases and norms excluded (add_weight_decay), 40 warm-up epochs (of
 * 800: a short run warms up for 10 % of it, as every method here).
 *
 * Evaluated unmasked on the mean of its patch tokens (EvaluationSpec pooling 'mean'; models_vit.py
 * global_pool), by kNN, probe, maps and export alike.
 *
 * Deliberate differences: the encoder's position embeddings are the ViT's learned ones (the
 * official fixes them to 2-D sin-cos; the decoder's are sin-cos as official); the decoder is
 * sized for CPU runs (decoderDim 64, depth 2, 4 heads; official 512, 8, 16); only ViT
 * backbones (a ResNet has no tokens to mask: refused before a run is stored).
 */
import * as tf from '@tensorflow/tfjs-core';
import type * as tfl from '@tensorflow/tfjs-layers';
import { keptTokens, randomMasking, type ViewSpec } from '../augment';
import { isViT, VIT_PATCH, vitGrid, vitTokens } from '../backbones/vit';
import { maeDecode, maeDecoder } from '../heads/maeDecoder';
import { maeLoss } from '../losses';
import { num, positiveInt, stepSeed } from './common';
import { defineModel } from './model';
import type { MethodDefinition, Params, PreviewMasks, StepInput } from './types';

/** One view as MAE's (and BEiT's, data2vec's) pre-training transform: crop 0.2–1 bicubic, flip. */
export function mimViews(size: number): ViewSpec[] {
  return [
    {
      name: 'view-1',
      size,
      crop: { scale: [0.2, 1], ratio: [3 / 4, 4 / 3], interpolation: 'bicubic' },
      flipProb: 0.5,
      colorJitter: null,
      grayscaleProb: 0,
      blur: null,
      solarize: null,
    },
  ];
}

/** The backbone's image side, channels and token grid; throws unless it is a ViT. */
export function vitInput(backbone: tfl.LayersModel, method: string): { size: number; channels: number; rows: number; cols: number; patch: number } {
  if (!isViT(backbone)) throw new Error(`method ${method} masks a ViT's patch tokens: use --backbone vit-mini or vit-tiny (got a ${backbone.name} backbone)`);
  const [, size, , channels] = backbone.inputs[0]!.shape as [null, number, number, number];
  return { size, channels, ...vitGrid(backbone, size) };
}

export function checkMaskRatio(p: Record<string, unknown>): void {
  const r = p['maskRatio'];
  if (typeof r !== 'number' || !(r > 0 && r < 1)) throw new Error(`option maskRatio must be in (0, 1), got ${String(r)}`);
}

/** The token grid side of a registry ViT on `viewSize`-px views. */
export function previewGrid(viewSize: number): number {
  return Math.floor(viewSize / VIT_PATCH);
}

/** MAE's masks for a preview: the same random masking as a step's, from the preview's seed. */
export function maePreviewMasks(p: Params, viewSize: number, count: number, seed: number): PreviewMasks {
  const g = previewGrid(viewSize);
  const ratio = num(p, 'maskRatio');
  const { mask } = randomMasking(count, g * g, ratio, seed);
  const removed = g * g - keptTokens(g * g, ratio);
  return { patch: VIT_PATCH, masks: mask, caption: `${removed} of ${g * g} patches removed (random, ratio ${ratio})` };
}

/** MAE's mask of a step: keep [B, K] int32 and mask [B, N] float32 (1 = removed). */
export function maeMask(input: Pick<StepInput, 'seedPath'>, batch: number, n: number, ratio: number): { keep: tf.Tensor2D; mask: tf.Tensor2D } {
  const { keep, mask } = randomMasking(batch, n, ratio, stepSeed(input, 13));
  return { keep: tf.tensor2d(keep, undefined, 'int32'), mask: tf.tensor2d(mask) };
}

export const mae: MethodDefinition = {
  name: 'mae',
  summary: 'masked autoencoder: a ViT sees 25 % of the patches, a light decoder predicts the normalised pixels of the rest',
  reference: 'He et al., Masked Autoencoders Are Scalable Vision Learners (CVPR 2022); code: github.com/facebookresearch/mae',
  preset: mimViews,
  requiresViT: true,
  evaluation: () => ({ pooling: 'mean' }),
  previewMasks: maePreviewMasks,
  params: { maskRatio: 0.75, decoderDim: 64, decoderDepth: 2, decoderHeads: 4, normPixLoss: true },
  train: { optimizer: 'adamw', lr: 1.5e-4, weightDecay: 0.05, momentum: 0.9, batch: 256, warmupEpochs: 40, eta: 0.02, excludeBiasAndNorm: true, beta2: 0.95 },
  validate(p) {
    checkMaskRatio(p);
    const [dim, heads] = [positiveInt(p, 'decoderDim'), positiveInt(p, 'decoderHeads')];
    positiveInt(p, 'decoderDepth');
    if (dim % heads !== 0 || dim % 4 !== 0) throw new Error(`option decoderDim (${dim}) must be a multiple of 4 and of decoderHeads (${heads})`);
    if (typeof p['normPixLoss'] !== 'boolean') throw new Error('option normPixLoss must be true or false');
  },
  build(makeBackbone, featureDim, p) {
    const backbone = makeBackbone();
    const g = vitInput(backbone, 'mae');
    const decoder = maeDecoder({
      encoderDim: featureDim,
      rows: g.rows,
      cols: g.cols,
      patchValues: g.patch * g.patch * g.channels,
      dim: positiveInt(p, 'decoderDim'),
      depth: positiveInt(p, 'decoderDepth'),
      heads: positiveInt(p, 'decoderHeads'),
    });
    const ratio = num(p, 'maskRatio');
    return defineModel(
      { backbone, heads: { decoder } },
      {
        loss: (input) => {
          const view = input.views[0]!;
          const { keep, mask } = maeMask(input, view.shape[0], g.rows * g.cols, ratio);
          const latent = vitTokens(backbone, view, { keep, training: true });
          const pred = maeDecode(decoder, latent, keep);
          // Inside the trainer's tf.variableGrads: the intermediates are freed after the gradients.
          return { loss: maeLoss(pred, view, mask, g.patch, p['normPixLoss'] === true) };
        },
      },
    );
  },
};
