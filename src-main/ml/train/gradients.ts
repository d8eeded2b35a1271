/**
 * Building blocks of a method's beforeApply hook (solo-learn's on_after_backward): gradient
 * clipping and freezing variables. Each takes the gradients keyed by variable name and returns
 * a new map; tensors it creates are new, tensors it passes through are the input's (the trainer
 * disposes both maps, and disposing a tensor twice is harmless).
 */
import * as tf from '@tensorflow/tfjs-core';

/**
 * Clips gradients to `maxNorm`:
 * - 'total': torch.nn.utils.clip_grad_norm_ (one L2 norm over all gradients; all scaled by
 *   min(1, maxNorm / (norm + 1e-6)));
 * - 'each': DINO's utils.clip_gradients (facebookresearch/dino), each gradient on its own.
 */
export function clipGradients(grads: tf.NamedTensorMap, maxNorm: number, mode: 'total' | 'each'): tf.NamedTensorMap {
  if (!(maxNorm > 0)) throw new Error(`clipGradients: maxNorm must be > 0, got ${maxNorm}`);
  const names = Object.keys(grads);
  if (names.length === 0) return {};
  return tf.tidy(() => {
    const coef = (norm: tf.Tensor) => tf.minimum(tf.div(maxNorm, tf.add(norm, 1e-6)), 1);
    const out: tf.NamedTensorMap = {};
    if (mode === 'total') {
      const total = tf.sqrt(tf.addN(names.map((n) => tf.sum(tf.square(grads[n]!)))));
      const c = coef(total);
      for (const n of names) out[n] = tf.mul(grads[n]!, c);
    } else {
      for (const n of names) out[n] = tf.mul(grads[n]!, coef(tf.norm(grads[n]!)));
    }
    return out;
  });
}

/**
 * The gradients without those of `frozen` (DINO's cancel_gradients_last_layer sets them to
 * None): the optimiser leaves those variables untouched, weight decay and momentum included.
 */
export function withoutGradients(grads: tf.NamedTensorMap, frozen: readonly tf.Variable[]): tf.NamedTensorMap {
  const drop = new Set(frozen.map((v) => v.name));
  return Object.fromEntries(Object.entries(grads).filter(([name]) => !drop.has(name)));
}
