// Light test helpers with no workspace behind them: the test backend and seeded cluster data.
import { Rng } from '../../src-main/core/rng';

/** wasm (the engine here) unless PRETEXT_TEST_BACKEND says cpu. */
export const TEST_BACKEND = (process.env['PRETEXT_TEST_BACKEND'] ?? 'wasm') as 'cpu' | 'wasm';

/** c Gaussian clusters (unit noise) around centres drawn with std 4, d dims; point i is in cluster i mod c. */
export function clusters(n: number, d: number, c: number, seed: number): { x: Float32Array; labels: Int32Array } {
  const rng = new Rng(seed);
  const g = () => Math.sqrt(-2 * Math.log(Math.max(rng.next(), 1e-300))) * Math.cos(2 * Math.PI * rng.next());
  const centres = Float32Array.from({ length: c * d }, () => 4 * g());
  const x = new Float32Array(n * d);
  const labels = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    labels[i] = i % c;
    for (let j = 0; j < d; j++) x[i * d + j] = centres[(i % c) * d + j]! + g();
  }
  return { x, labels };
}
