/**
 * The InfoNCE loss of CPC v2 (Hénaff et al., Data-Efficient Image Recognition with Contrastive
 * Predictive Coding, ICML 2020, Appendix A's CPC pseudocode; v2's code was not released): for
 * each prediction step k, the prediction at grid position (i, j) of image b scores every target
 * of the batch (all positions of all images) by a dot product, and the one at (i + k, j) of the
 * same image is the positive:
 *
 *   ℓ_k = mean over (b, i < G − k, j) of −log softmax_l(p_k[b,i,j] · z_l)[label],
 *   label = b·G·G + (i + k)·G + j,   ℓ = Σ_k ℓ_k
 *
 * (the pseudocode's cross-entropy per step, summed over steps). `targets` are the patch targets
 * z [n, G, G, d] (the pseudocode's 1×1 conv of the latents), `preds[s]` the predictions for
 * step `steps[s]` at every position [n, G, G, d] (already scaled by emb_scale); rows i ≥ G − k
 * have nothing below at distance k and are left out here.
 */
import * as tf from '@tensorflow/tfjs-core';

function check(targets: tf.Tensor, preds: readonly tf.Tensor[], steps: readonly number[]): void {
  if (targets.rank !== 4) throw new Error(`cpcLoss: targets must be [batch, rows, cols, dim], got rank ${targets.rank}`);
  const [, g, w] = targets.shape;
  if (preds.length === 0 || preds.length !== steps.length) throw new Error(`cpcLoss: ${preds.length} prediction maps for ${steps.length} steps (need one per step, at least one)`);
  for (const [s, p] of preds.entries()) {
    if (p.shape.join('×') !== targets.shape.join('×')) throw new Error(`cpcLoss: predictions for step ${steps[s]} are ${p.shape.join('×')}, the targets ${targets.shape.join('×')}`);
    const k = steps[s]!;
    if (!Number.isInteger(k) || k < 1 || k >= g!) throw new Error(`cpcLoss: step ${k} must be an integer in [1, ${g! - 1}] (a grid of ${g} rows)`);
  }
  if (w! < 1) throw new Error('cpcLoss: the grid has no columns');
}

/** Labels of the predictions of step k: the flat index of the target k rows below, same image, same column. */
function stepLabels(n: number, g: number, w: number, k: number): Int32Array {
  const rows = g - k;
  return Int32Array.from({ length: n * rows * w }, (_, m) => {
    const b = Math.floor(m / (rows * w));
    const r = m % (rows * w);
    return b * g * w + k * w + r;
  });
}

/** Per step k: the mean cross-entropy ℓ_k and the accuracy of picking the positive among all targets. */
export function cpcTerms(targets: tf.Tensor4D, preds: readonly tf.Tensor4D[], steps: readonly number[]): { losses: tf.Scalar[]; accs: tf.Scalar[] } {
  check(targets, preds, steps);
  const [n, g, w, d] = targets.shape;
  return tf.tidy(() => {
    const flat = tf.reshape(targets, [n * g * w, d]) as tf.Tensor2D;
    const losses: tf.Scalar[] = [];
    const accs: tf.Scalar[] = [];
    preds.forEach((p, s) => {
      const k = steps[s]!;
      const rows = tf.reshape(tf.slice(p, [0, 0, 0, 0], [n, g - k, w, d]), [n * (g - k) * w, d]) as tf.Tensor2D;
      const logits = tf.matMul(rows, flat, false, true);
      const labels = tf.tensor1d(stepLabels(n, g, w, k), 'int32');
      losses.push(tf.losses.softmaxCrossEntropy(tf.oneHot(labels, n * g * w), logits) as tf.Scalar);
      accs.push(tf.mean(tf.cast(tf.equal(tf.argMax(logits, 1), labels), 'float32')) as tf.Scalar);
    });
    return { losses, accs };
  });
}

/** ℓ = Σ_k ℓ_k, the CPC v2 loss of the batch. */
export function cpcLoss(targets: tf.Tensor4D, preds: readonly tf.Tensor4D[], steps: readonly number[]): tf.Scalar {
  check(targets, preds, steps);
  return tf.tidy(() => tf.addN(cpcTerms(targets, preds, steps).losses) as tf.Scalar);
}
