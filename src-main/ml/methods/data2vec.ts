/**
 * data2vec, image (Baevski et al., data2vec: A General Framework for Self-supervised Learning in
 * Speech, Vision and Language, ICML 2022), following fairseq examples/data2vec/models/
 * data2vec_vision.py and its vision pre-training config (the BEiT-based data2vec_vision code):
 * the student ViT sees the image with ~60 % of its patch embeddings replaced by a learned mask
 * token (BEiT blockwise masking, augment/mask.ts blockMasking, seeded from the step); an EMA
 * teacher (the same ViT) sees the whole image; the student's final tokens at the masked
 * positions, through a linear final_proj, regress the average of the teacher's top-K block
 * outputs (each block's FFN output before its last residual, instance-normed over the tokens:
 * the official instance_norm_target_layer; no normalisation of the average), with smooth L1
 * (loss_beta 2) summed over the features and scaled by 1/√D (losses/mim.ts).
 * K: the paper's 6 of 12 blocks; `topK` 0 (the default) takes half the backbone's blocks
 * (vit-mini: 3 of 6), any other value is taken as given.
 * EMA: τ rises linearly from baseTau to finalTau over the run (ema_anneal_end_step at the
 * run's end), the teacher updated after each step.
 * Views: one view as BEiT's / MAE's (crop 0.2–1, flip). Optimiser AdamW, weight decay 0.05
 * (biases and norms excluded), β2 0.999, lr 2.5e-4 per 256 images (the vision config's 2e-3 at
 * batch 2048), warm-up 10 epochs.
 *
 * Evaluated on the mean of its patch tokens (EvaluationSpec pooling 'mean'; BEiT's and data2vec
 * vision's linear probe and fine-tuning pool the patch tokens' mean, use_mean_pooling).
 *
 * Deliberate differences: τ 0.999 → 0.9998 (the paper's 0.9998 → 0.9999 over 100k updates
 * would leave a short CPU run's teacher at its initialisation); targets and instance norm over
 * the patch tokens (the class token is not regressed); the ViT has no relative position bias or
 * layer scale (BEiT's); only ViT backbones.
 */
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { blockMasking } from '../augment';
import { VIT_PATCH, vitBlockOutputs, vitTokens } from '../backbones/vit';
import { data2vecLoss, data2vecTarget } from '../losses';
import { copyWeights, emaUpdate } from '../train/ema';
import { num, stepSeed, variablesOf } from './common';
import { checkMaskRatio, mimViews, previewGrid, vitInput } from './mae';
import { defineModel } from './model';
import type { MethodDefinition, Params, PreviewMasks, StepInput } from './types';

/** The EMA decay of a step: linear from base to final over the run (fairseq's EMA anneal). */
export function data2vecTau(step: number, totalSteps: number, base: number, final: number): number {
  if (totalSteps <= 1) return final;
  return base + ((final - base) * Math.min(step, totalSteps - 1)) / (totalSteps - 1);
}

/** The block mask of a step [B, N] float32 (1 = masked). */
export function data2vecMask(input: Pick<StepInput, 'seedPath'>, batch: number, rows: number, cols: number, ratio: number): tf.Tensor2D {
  return tf.tensor2d(blockMasking(batch, rows, cols, { ratio }, stepSeed(input, 14)));
}

/** data2vec's block masks for a preview, from the preview's seed (as a step's, from its own). */
function data2vecPreviewMasks(p: Params, viewSize: number, count: number, seed: number): PreviewMasks {
  const g = previewGrid(viewSize);
  const ratio = num(p, 'maskRatio');
  return { patch: VIT_PATCH, masks: blockMasking(count, g, g, { ratio }, seed), caption: `blocks of patches removed (BEiT block masking, ratio ${ratio} of ${g * g})` };
}

/** The blocks whose outputs make the target: topK, or half the blocks when 0. */
export function targetLayers(topK: number, depth: number): number {
  const k = topK === 0 ? Math.max(1, Math.round(depth / 2)) : topK;
  if (!Number.isInteger(k) || k < 1 || k > depth) throw new Error(`option topK must be 0 (half the blocks) or 1…${depth} (the backbone's blocks), got ${topK}`);
  return k;
}

/** The patch tokens [B, N, D] of a token sequence [B, 1 + N, D]. */
const patchTokens = (x: tf.Tensor): tf.Tensor3D => {
  const [b, t, d] = x.shape as [number, number, number];
  return tf.slice(x, [0, 1, 0], [b, t - 1, d]) as tf.Tensor3D;
};

export const data2vec: MethodDefinition = {
  name: 'data2vec',
  summary: 'a student ViT on block-masked patches regresses an EMA teacher\'s averaged top-K block outputs',
  reference: 'Baevski et al., data2vec: A General Framework for Self-supervised Learning in Speech, Vision and Language (ICML 2022); code: github.com/facebookresearch/fairseq examples/data2vec',
  preset: mimViews,
  requiresViT: true,
  evaluation: () => ({ pooling: 'mean' }),
  previewMasks: data2vecPreviewMasks,
  params: { maskRatio: 0.6, topK: 0, lossBeta: 2, baseTau: 0.999, finalTau: 0.9998 },
  train: { optimizer: 'adamw', lr: 2.5e-4, weightDecay: 0.05, momentum: 0.9, batch: 256, warmupEpochs: 10, eta: 0.02, excludeBiasAndNorm: true, beta2: 0.999 },
  validate(p) {
    checkMaskRatio(p);
    const k = num(p, 'topK');
    if (!(Number.isInteger(k) && k >= 0)) throw new Error(`option topK must be an integer ≥ 0 (0: half the blocks), got ${k}`);
    if (!(num(p, 'lossBeta') >= 0)) throw new Error('option lossBeta must be ≥ 0 (0: squared error)');
    const [base, final] = [num(p, 'baseTau'), num(p, 'finalTau')];
    if (!(base >= 0 && base <= final && final <= 1)) throw new Error('options need 0 ≤ baseTau ≤ finalTau ≤ 1');
  },
  build(makeBackbone, featureDim, p) {
    const backbone = makeBackbone();
    const g = vitInput(backbone, 'data2vec');
    const depth = backbone.layers.filter((l) => l.getClassName() === 'PretextViTBlock').length;
    const k = targetLayers(num(p, 'topK'), depth);
    // The mask token (BEiT: trunc-normal σ 0.02) as a one-row embedding, and final_proj.
    const maskToken = tfl.sequential({
      name: 'data2vec-mask-token',
      layers: [tfl.layers.embedding({ inputDim: 1, outputDim: featureDim, inputLength: 1, embeddingsInitializer: tfl.initializers.truncatedNormal({ stddev: 0.02 }) })],
    });
    const finalProj = tfl.sequential({ name: 'data2vec-final-proj', layers: [tfl.layers.dense({ units: featureDim, inputShape: [featureDim] })] });
    const teacher = makeBackbone();
    copyWeights(variablesOf(backbone), variablesOf(teacher));
    const ratio = num(p, 'maskRatio');
    return defineModel(
      { backbone, heads: { maskToken, finalProj }, copies: { teacher } },
      {
        targets: ({ views }) => {
          const layers = vitBlockOutputs(teacher, views[0]!);
          const target = tf.tidy(() => data2vecTarget(layers.map(patchTokens), k));
          tf.dispose(layers);
          return [target];
        },
        loss: (input, [target]) => {
          const view = input.views[0]!;
          const [b, n, d] = target!.shape as [number, number, number];
          const mask = data2vecMask(input, b, g.rows, g.cols, ratio);
          const token = maskToken.trainableWeights[0]!.read();
          const student = patchTokens(vitTokens(backbone, view, { masked: { mask, token }, training: true }));
          const pred = tf.reshape(finalProj.apply(tf.reshape(student, [b * n, d])) as tf.Tensor, [b, n, d]);
          return { loss: data2vecLoss(pred, target!, mask, num(p, 'lossBeta')) };
        },
        afterStep: ({ step, totalSteps }) => emaUpdate(variablesOf(backbone), variablesOf(teacher), data2vecTau(step, totalSteps, num(p, 'baseTau'), num(p, 'finalTau'))),
      },
    );
  },
};
