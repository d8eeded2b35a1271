/**
 * Contrastive Predictive Coding v2 (Hénaff et al., Data-Efficient Image Recognition with
 * Contrastive Predictive Coding, ICML 2020; v2's code was not released: this follows the paper's
 * §3 and Appendix A, its pixelCNN and CPC pseudocode, and the image setup of van den Oord et al.
 * 2018, CPC v1). The view is cut into a grid×grid layout of overlapping patches (the task view
 * 'grid', augment/tasks.ts), the backbone encodes each patch to z_ij (its pooled features), a
 * context network over the grid gives c_ij from rows ≤ i only, and for each step k the
 * prediction W_k c_ij must pick the target of z_{i+k,j} among the targets of every patch of the
 * batch (other positions and other images): InfoNCE, the cross-entropy per step summed over the
 * steps (losses/cpc.ts).
 *
 * As the pseudocode: targets are a 1×1 conv of the latents to `targetDim` (64) dims, the
 * predictions a 1×1 conv per step (one conv with steps × targetDim outputs) of the context times
 * `embScale` (0.1); the context network is the pixelCNN's residual blocks (1×1 conv, ReLU, 1×3
 * conv, one row of zero padding on top and a 2×1 'valid' conv so that row i sees rows i − 1 and
 * i, ReLU, 1×1 conv back, added to the input; a ReLU at the end). Logged per step: `acc`, the
 * fraction of predictions whose positive scores highest among the batch's targets, averaged over
 * the steps.
 *
 * Deliberate differences, scaled to small images and a CPU:
 * - Geometry: a 5×5 grid (v2: 7×7) of patches of max(12, 2·round(size/6)) px at 50 % overlap
 *   (stride patch/2; v2: 64 px at stride 32 on 256 px), on a view of (grid − 1)·stride + patch
 *   + 2·jitter px (40 px for 28-px images: the image is upsampled by the resized crop).
 * - Steps k = minStep..maxStep = 2..4 rows below (v2 predicts up to 5 rows below; its
 *   pseudocode skips the first steps_to_ignore = 2): here only the half-overlapping row k = 1 is
 *   skipped, a 5-row grid has no more rows to skip.
 * - Context network: `contextBlocks` = 2 blocks of `contextDim` = 128 channels (v2: 5 of 256).
 * - Patch augmentation: each patch shifted by up to ±max(1, round(patch/8)) px (v1's random
 *   crops within a patch) and turned to grayscale with p 0.25 on 3-channel views (a stand-in for
 *   v2's per-patch colour dropping and jitter), after a random resized crop (scale 0.6–1) and a
 *   horizontal flip of the view.
 * - The backbone keeps its batch norm (v2 uses layer norm: batch statistics over a batch of
 *   patches can leak between patches of the same image).
 * - Recipe (ours; the paper's is for a ResNet-161 on ImageNet): AdamW lr 4e-4, no weight decay,
 *   batch 32 images (32 × 25 = 800 patch passes of the backbone per step).
 * - Evaluation: the backbone on the whole image, as every method here (v2 evaluates on patch
 *   features pooled over the grid).
 */
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { cpcTerms } from '../losses/cpc';
import { num, positiveInt } from './common';
import { run } from '../heads/mlp';
import { defineModel } from './model';
import { taskSpecOf } from './taskCommon';
import type { MethodDefinition, Params } from './types';

export const CPC_GRID = 5;

/** View size, patch, stride and jitter of the grid for images of `imageSize` px. */
export function cpcGeometry(imageSize: number): { size: number; patch: number; stride: number; jitter: number } {
  const patch = Math.max(12, 2 * Math.round(imageSize / 6));
  const stride = patch / 2;
  const jitter = Math.max(1, Math.round(patch / 8));
  return { size: (CPC_GRID - 1) * stride + patch + 2 * jitter, patch, stride, jitter };
}

const conv = (filters: number, kernelSize: [number, number], name: string, activation?: 'relu') =>
  tfl.layers.conv2d({ filters, kernelSize, padding: 'valid', activation: activation ?? 'linear', name });

/**
 * The context network and the step predictions: `blocks` residual pixelCNN blocks over the
 * [grid, grid, dim] latents (row i sees rows ≤ i), then one 1×1 conv to steps × targetDim.
 */
export function contextNetwork(grid: number, dim: number, hidden: number, blocks: number, outDim: number): tfl.LayersModel {
  const input = tfl.input({ shape: [grid, grid, dim] });
  let res: tfl.SymbolicTensor = input;
  for (let b = 0; b < blocks; b++) {
    let c = conv(hidden, [1, 1], `cpc-ctx${b}-in`, 'relu').apply(res) as tfl.SymbolicTensor;
    c = tfl.layers.zeroPadding2d({ padding: [[0, 0], [1, 1]] }).apply(c) as tfl.SymbolicTensor;
    c = conv(hidden, [1, 3], `cpc-ctx${b}-row`).apply(c) as tfl.SymbolicTensor;
    c = tfl.layers.zeroPadding2d({ padding: [[1, 0], [0, 0]] }).apply(c) as tfl.SymbolicTensor;
    c = conv(hidden, [2, 1], `cpc-ctx${b}-up`, 'relu').apply(c) as tfl.SymbolicTensor;
    c = conv(dim, [1, 1], `cpc-ctx${b}-out`).apply(c) as tfl.SymbolicTensor;
    res = tfl.layers.add().apply([res, c]) as tfl.SymbolicTensor;
  }
  const ctx = tfl.layers.reLU().apply(res) as tfl.SymbolicTensor;
  const preds = conv(outDim, [1, 1], 'cpc-predict').apply(ctx) as tfl.SymbolicTensor;
  return tfl.model({ inputs: input, outputs: preds, name: 'cpc-context' });
}

/** The prediction steps minStep..maxStep of the params. */
export function cpcSteps(p: Params): number[] {
  const lo = positiveInt(p, 'minStep');
  const hi = positiveInt(p, 'maxStep');
  return Array.from({ length: hi - lo + 1 }, (_, i) => lo + i);
}

export const cpc: MethodDefinition = {
  name: 'cpc',
  summary: 'contrastive predictive coding v2: a context over the rows of a patch grid predicts the patches rows below (InfoNCE)',
  reference: 'Hénaff et al., Data-Efficient Image Recognition with Contrastive Predictive Coding (ICML 2020); no official v2 code: the paper’s Appendix A pseudocode followed',
  preset: (imageSize) => {
    const { size, patch, stride, jitter } = cpcGeometry(imageSize);
    return [
      {
        name: 'grid',
        size,
        crop: { scale: [0.6, 1], ratio: [1, 1] },
        flipProb: 0.5,
        colorJitter: null,
        grayscaleProb: 0,
        blur: null,
        solarize: null,
        task: { kind: 'grid', grid: CPC_GRID, patch, stride, jitter, grayscaleProb: 0.25 },
      },
    ];
  },
  params: { targetDim: 64, contextDim: 128, contextBlocks: 2, minStep: 2, maxStep: 4, embScale: 0.1 },
  train: { optimizer: 'adamw', lr: 4e-4, weightDecay: 0, momentum: 0.9, batch: 32, warmupEpochs: 0, eta: 0.02, excludeBiasAndNorm: false },
  validate(p) {
    positiveInt(p, 'targetDim');
    positiveInt(p, 'contextDim');
    positiveInt(p, 'contextBlocks');
    const [lo, hi] = [positiveInt(p, 'minStep'), positiveInt(p, 'maxStep')];
    if (hi < lo || hi > CPC_GRID - 1) throw new Error(`option maxStep must be in [minStep = ${lo}, ${CPC_GRID - 1}] (rows below on a ${CPC_GRID}-row grid), got ${hi}`);
    const s = num(p, 'embScale');
    if (s <= 0) throw new Error(`option embScale must be a positive number, got ${s}`);
  },
  build(makeBackbone, featureDim, p) {
    const backbone = makeBackbone();
    const steps = cpcSteps(p);
    const t = positiveInt(p, 'targetDim');
    const embScale = num(p, 'embScale');
    const context = contextNetwork(CPC_GRID, featureDim, positiveInt(p, 'contextDim'), positiveInt(p, 'contextBlocks'), steps.length * t);
    const target = tfl.sequential({ name: 'cpc-target', layers: [tfl.layers.conv2d({ inputShape: [CPC_GRID, CPC_GRID, featureDim], filters: t, kernelSize: 1, name: 'cpc-target-conv' })] });
    return defineModel(
      { backbone, heads: { context, target } },
      {
        loss: (input) => {
          const task = taskSpecOf(input.specs, 'cpc', 'grid');
          if (task.kind === 'grid' && task.grid !== CPC_GRID) throw new Error(`cpc: the view's grid is ${task.grid}×${task.grid}, the context network's ${CPC_GRID}×${CPC_GRID}`);
          const x = input.views[0]!;
          const n = x.shape[0] / (CPC_GRID * CPC_GRID);
          const latents = tf.reshape(run(backbone, x, true), [n, CPC_GRID, CPC_GRID, featureDim]);
          const z = target.apply(latents, { training: true }) as tf.Tensor4D;
          const all = context.apply(latents, { training: true }) as tf.Tensor4D;
          const preds = tf.split(tf.mul(all, embScale), steps.length, 3) as tf.Tensor4D[];
          const { losses, accs } = cpcTerms(z, preds, steps);
          const metrics: Record<string, tf.Scalar> = { acc: tf.mean(tf.stack(accs)) as tf.Scalar };
          return { loss: tf.addN(losses) as tf.Scalar, metrics };
        },
      },
    );
  },
};
