/**
 * Small tensor helpers shared by the SSL losses: L2 normalisation as in PyTorch's
 * `F.normalize` (divide by max(‖x‖, 1e-12)), a stop-gradient, and the argument checks that turn
 * a shape mistake into an error naming the function and the argument.
 * None of these call tf.tidy themselves: they are meant to run inside a loss's tidy.
 */
import * as tf from '@tensorflow/tfjs-core';

/** Rows scaled to unit L2 norm; rows of norm below 1e-12 are divided by 1e-12 (F.normalize). */
export function l2Normalize(x: tf.Tensor2D): tf.Tensor2D {
  const sumSq = tf.sum(tf.square(x), 1, true);
  // rsqrt(max(‖x‖², 1e-24)) = 1 / max(‖x‖, 1e-12), with a finite gradient at x = 0.
  return tf.mul(x, tf.rsqrt(tf.maximum(sumSq, 1e-24)));
}

/**
 * The identity in the forward pass and a zero gradient in the backward pass, like
 * `tensor.detach()` in PyTorch or `tf.stop_gradient` in TensorFlow (tfjs has no such op).
 */
export const stopGradient: <T extends tf.Tensor>(x: T) => T = tf.customGrad(
  (x: tf.Tensor | tf.GradSaveFunc) => {
    const t = x as tf.Tensor;
    return { value: tf.clone(t), gradFunc: (dy: tf.Tensor) => tf.zerosLike(dy) };
  },
) as <T extends tf.Tensor>(x: T) => T;

/**
 * `f(...inputs)` computed off the gradient tape: one tape node whose gradient to every input
 * is zero, like a computation under `torch.no_grad()` on detached inputs. stopGradient alone
 * detaches the result, but every op after it still records a tape node and keeps its
 * intermediates until the backward pass; here `f` runs as the forward function of one custom
 * op (tfjs turns the tape off inside a kernel), so its intermediates are freed at once.
 * SwAV's Sinkhorn over a queue ([3,968 × 3,000] per iteration) needs it.
 */
export function untaped<T extends tf.Tensor>(f: (...xs: tf.Tensor[]) => T, ...inputs: tf.Tensor[]): T {
  const op = tf.customGrad((...args: (tf.Tensor | tf.GradSaveFunc)[]) => {
    const xs = args.slice(0, inputs.length) as tf.Tensor[];
    return { value: f(...xs), gradFunc: () => xs.map((x) => tf.zerosLike(x)) };
  });
  return op(...inputs) as T;
}

/**
 * Σ of all entries of a matrix, reduced row by row and then over the rows: the same value as
 * tf.sum(x), more accurate on stock wasm, whose float32 Sum over all 256×2048 entries of a
 * matrix was measured 1.8e-4 off in relative terms (tfjs-backend-cpu accumulates in float64).
 */
export function sumAll(x: tf.Tensor): tf.Scalar {
  return tf.sum(tf.sum(x, 1));
}

/** Mean of all entries of a matrix, reduced in two stages like sumAll. */
export function meanAll(x: tf.Tensor): tf.Scalar {
  return tf.mean(tf.mean(x, 1));
}

/** Throws unless `x` is a rank-2 tensor with at least `minRows` rows. */
export function checkMatrix(fn: string, name: string, x: tf.Tensor, minRows = 1): void {
  if (x.rank !== 2) {
    throw new Error(`${fn}: ${name} must be a 2-D tensor [rows, features], got shape [${x.shape.join(', ')}]`);
  }
  if (x.shape[0] < minRows) {
    throw new Error(`${fn}: ${name} needs at least ${minRows} rows, got ${x.shape[0]}`);
  }
}

/** Throws unless `a` and `b` have exactly the same shape. */
export function checkSameShape(fn: string, aName: string, a: tf.Tensor, bName: string, b: tf.Tensor): void {
  if (a.shape.length !== b.shape.length || a.shape.some((s, i) => s !== b.shape[i])) {
    throw new Error(
      `${fn}: ${aName} and ${bName} must have the same shape, got [${a.shape.join(', ')}] and [${b.shape.join(', ')}]`,
    );
  }
}

/** The checks of a two-view contrastive loss: z1 [N, D] with N ≥ minRows, z2 of its shape, τ > 0. */
export function checkViewPair(fn: string, z1: tf.Tensor, z2: tf.Tensor, temperature: number, minRows = 2): void {
  checkMatrix(fn, 'z1', z1, minRows);
  checkSameShape(fn, 'z1', z1, 'z2', z2);
  checkPositive(fn, 'temperature', temperature);
}

/** Throws unless `value` is a finite number greater than zero. */
export function checkPositive(fn: string, name: string, value: number): void {
  if (!Number.isFinite(value) || value <= 0) {
    throw new Error(`${fn}: ${name} must be a finite number > 0, got ${value}`);
  }
}
