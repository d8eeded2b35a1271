/**
 * Masked image modelling losses.
 *
 * - patchify / unpatchify: facebookresearch/mae models_mae.py `patchify` (imgs → [B, L, p²·C],
 *   each patch's values in (row, column, channel) order: einsum 'nchpwq->nhwpqc') and its
 *   inverse; here on NHWC images.
 * - maeLoss: models_mae.py `forward_loss` with norm_pix_loss=True: each target patch normalised
 *   by its own mean and variance (torch's `var`, unbiased, + 1e-6), the mean squared error per
 *   patch, averaged over the removed patches only (mask 1).
 * - data2vecTarget: fairseq examples/data2vec/models/data2vec_vision.py (and the paper §3.3):
 *   the teacher's top-K block outputs, each instance-normed over the tokens
 *   (F.instance_norm on [B, D, N], eps 1e-5, the official vision config's
 *   instance_norm_target_layer), then averaged; no normalisation of the average (the vision
 *   config has layer_norm_targets and instance_norm_targets off).
 * - data2vecLoss: data2vec's regression loss on the masked tokens: smooth L1 with β (the
 *   official vision config's loss_beta 2; β 0 is the MSE branch) summed over the feature
 *   dimension, scaled by 1/√D (loss_scale unset), averaged over the masked tokens (fairseq
 *   normalises by the sample size, the number of masked tokens).
 */
import * as tf from '@tensorflow/tfjs-core';

/** NHWC images [B, H, W, C] → patches [B, (H/p)·(W/p), p²·C]. */
export function patchify(images: tf.Tensor, p: number): tf.Tensor3D {
  const [b, h, w, c] = images.shape as [number, number, number, number];
  if (!Number.isInteger(p) || p < 1 || h % p !== 0 || w % p !== 0) throw new Error(`patchify: ${h}×${w} images are not a whole number of ${p} px patches`);
  return tf.tidy(() => {
    const x = tf.reshape(images, [b, h / p, p, w / p, p, c]);
    return tf.reshape(tf.transpose(x, [0, 1, 3, 2, 4, 5]), [b, (h / p) * (w / p), p * p * c]) as tf.Tensor3D;
  });
}

/** Patches [B, rows·cols, p²·C] → NHWC images [B, rows·p, cols·p, C] (inverse of patchify). */
export function unpatchify(patches: tf.Tensor, rows: number, cols: number, p: number, channels: number): tf.Tensor4D {
  const [b, n, d] = patches.shape as [number, number, number];
  if (n !== rows * cols || d !== p * p * channels) throw new Error(`unpatchify: [${b}, ${n}, ${d}] is not ${rows}×${cols} patches of ${p}×${p}×${channels}`);
  return tf.tidy(() => {
    const x = tf.reshape(patches, [b, rows, cols, p, p, channels]);
    return tf.reshape(tf.transpose(x, [0, 1, 3, 2, 4, 5]), [b, rows * p, cols * p, channels]) as tf.Tensor4D;
  });
}

/** Each patch normalised by its mean and unbiased variance (+ 1e-6), as norm_pix_loss. */
export function normalizePatches(target: tf.Tensor): tf.Tensor {
  return tf.tidy(() => {
    const d = target.shape[target.rank - 1]!;
    const mean = tf.mean(target, -1, true);
    const centred = tf.sub(target, mean);
    const variance = tf.div(tf.sum(tf.square(centred), -1, true), Math.max(1, d - 1));
    return tf.div(centred, tf.sqrt(tf.add(variance, 1e-6)));
  });
}

function checkMask(mask: tf.Tensor, b: number, n: number, fn: string): void {
  if (mask.rank !== 2 || mask.shape[0] !== b || mask.shape[1] !== n) throw new Error(`${fn}: mask must be [${b}, ${n}], got [${mask.shape.join(', ')}]`);
}

/**
 * MAE's loss: pred [B, L, p²·C] against the patchified NHWC images, per-patch MSE averaged over
 * the patches where mask [B, L] is 1. normPix (default true): targets normalised per patch.
 */
export function maeLoss(pred: tf.Tensor, images: tf.Tensor, mask: tf.Tensor, p: number, normPix = true): tf.Scalar {
  return tf.tidy(() => {
    const raw = patchify(images, p);
    if (pred.rank !== 3 || pred.shape.some((s, i) => s !== raw.shape[i])) throw new Error(`maeLoss: prediction [${pred.shape.join(', ')}] does not match the patches [${raw.shape.join(', ')}]`);
    checkMask(mask, raw.shape[0], raw.shape[1], 'maeLoss');
    const target = normPix ? normalizePatches(raw) : raw;
    const perPatch = tf.mean(tf.square(tf.sub(pred, target)), -1);
    const m = tf.cast(mask, 'float32');
    return tf.div(tf.sum(tf.mul(perPatch, m)), tf.sum(m)) as tf.Scalar;
  });
}

/**
 * data2vec's target from the teacher's block outputs [B, N, D] (first block first): the last
 * `k`, each instance-normed over the N tokens (eps 1e-5), averaged → [B, N, D].
 */
export function data2vecTarget(layers: readonly tf.Tensor[], k: number): tf.Tensor3D {
  if (!Number.isInteger(k) || k < 1 || k > layers.length) throw new Error(`data2vecTarget: top ${k} of ${layers.length} layers asked`);
  return tf.tidy(() => {
    const normed = layers.slice(layers.length - k).map((y) => {
      const { mean, variance } = tf.moments(y, 1, true);
      return tf.div(tf.sub(y, mean), tf.sqrt(tf.add(variance, 1e-5)));
    });
    return tf.div(tf.addN(normed), k) as tf.Tensor3D;
  });
}

/**
 * data2vec's regression loss: pred and target [B, N, D], mask [B, N] (1 = masked: the tokens
 * regressed); smooth L1 with `beta` (0: squared error) summed over D, scaled by 1/√D, averaged
 * over the masked tokens.
 */
export function data2vecLoss(pred: tf.Tensor, target: tf.Tensor, mask: tf.Tensor, beta: number): tf.Scalar {
  if (!(beta >= 0)) throw new Error(`data2vecLoss: beta must be ≥ 0, got ${beta}`);
  if (pred.rank !== 3 || pred.shape.some((s, i) => s !== target.shape[i])) throw new Error(`data2vecLoss: prediction [${pred.shape.join(', ')}] and target [${target.shape.join(', ')}] differ`);
  const [b, n, d] = pred.shape as [number, number, number];
  checkMask(mask, b, n, 'data2vecLoss');
  return tf.tidy(() => {
    const diff = tf.sub(pred, target);
    let elem: tf.Tensor;
    if (beta === 0) elem = tf.square(diff);
    else {
      // torch's smooth L1 without a branch (tfjs has no gradient for the comparison):
      // c = min(|d|, β); 0.5·c²/β + |d| − c is 0.5·d²/β below β and |d| − 0.5·β above.
      const a = tf.abs(diff);
      const c = tf.minimum(a, beta);
      elem = tf.add(tf.div(tf.mul(tf.square(c), 0.5), beta), tf.sub(a, c));
    }
    const perToken = tf.div(tf.sum(elem, -1), Math.sqrt(d));
    const m = tf.cast(mask, 'float32');
    return tf.div(tf.sum(tf.mul(perToken, m)), tf.maximum(tf.sum(m), 1)) as tf.Scalar;
  });
}
