/**
 * Before/after throughput of each project wasm kernel against the package's stock kernel on
 * training-size shapes. Run: node --import tsx src-main/bench/engineKernels.ts [--threads N]
 * Prints a table (ms per call, GFLOP/s or GB/s) and one JSON line.
 */
import { parseArgs } from 'node:util';
import * as tf from '@tensorflow/tfjs-core';
import { useBackend } from '../ml/backend';
import { setFilterChunkBytes } from '../ml/backend/wasm/conv';
import { stockKernels } from '../ml/backend/wasm/heap';

interface Row {
  kernel: string;
  shape: string;
  unit: 'GFLOP/s' | 'GB/s';
  stockMs: number | null;
  projectMs: number;
  stock: number | null;
  project: number;
}

function runKernel(name: string, stock: boolean, inputs: Record<string, tf.Tensor>, attrs: Record<string, unknown>): tf.TensorInfo {
  const backend = tf.backend();
  if (stock) {
    const k = stockKernels.get(name);
    if (!k) throw new Error(`no stock ${name}`);
    const out = k.kernelFunc({ inputs, backend, attrs: attrs as tf.NamedAttrMap });
    return Array.isArray(out) ? out[0]! : out;
  }
  const out = tf.engine().runKernel(name, inputs, attrs as tf.NamedAttrMap);
  return Array.isArray(out) ? (out[0] as tf.Tensor) : (out as tf.Tensor);
}

/** Median ms of `reps` calls (after one warm-up call). */
function timeIt(f: () => tf.TensorInfo, reps: number): number {
  const times: number[] = [];
  for (let i = 0; i <= reps; i++) {
    const t = performance.now();
    const out = f();
    (tf.backend() as unknown as { readSync(d: object, s: number, e: number): unknown }).readSync(out.dataId, 0, 1);
    const ms = performance.now() - t;
    tf.backend().disposeData(out.dataId);
    if (i > 0) times.push(ms);
  }
  times.sort((a, b) => a - b);
  return times[Math.floor(times.length / 2)]!;
}

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { threads: { type: 'string' }, reps: { type: 'string' } } });
  const info = await useBackend('wasm', { threads: Number(values.threads ?? 1) });
  const reps = Number(values.reps ?? 3);
  const rows: Row[] = [];
  const add = (kernel: string, shape: string, unit: Row['unit'], work: number, name: string, inputs: Record<string, tf.Tensor>, attrs: Record<string, unknown>, hasStock = true) => {
    const projectMs = timeIt(() => runKernel(name, false, inputs, attrs), reps);
    const stockMs = hasStock ? timeIt(() => runKernel(name, true, inputs, attrs), reps) : null;
    const rate = (ms: number) => work / ms / 1e6;
    rows.push({ kernel, shape, unit, stockMs, projectMs, stock: stockMs === null ? null : rate(stockMs), project: rate(projectMs) });
  };
  const r = (shape: number[]) => tf.randomNormal(shape);

  // Conv2DBackpropInput, stride 1 and 2 (ResNet stage shapes, 64 images).
  {
    const dy = r([64, 16, 16, 64]), w = r([3, 3, 64, 64]);
    add('Conv2DBackpropInput', 'dy 64×16×16×64, W 3×3×64×64, s1', 'GFLOP/s', 2 * 64 * 256 * 9 * 64 * 64, 'Conv2DBackpropInput', { dy, filter: w }, { strides: [1, 1], pad: 'same', dataFormat: 'NHWC', dimRoundingMode: undefined, inputShape: [64, 16, 16, 64] });
    const dy2 = r([64, 8, 8, 128]), w2 = r([3, 3, 64, 128]);
    add('Conv2DBackpropInput', 'dy 64×8×8×128, W 3×3×64×128, s2', 'GFLOP/s', 2 * 64 * 64 * 9 * 64 * 128, 'Conv2DBackpropInput', { dy: dy2, filter: w2 }, { strides: [2, 2], pad: [[0, 0], [1, 1], [1, 1], [0, 0]], dataFormat: 'NHWC', dimRoundingMode: undefined, inputShape: [64, 16, 16, 64] });
  }
  // Conv2DBackpropFilter: no stock kernel; chunked vs one convolution over the whole batch.
  {
    const x = r([256, 32, 32, 32]), dy = r([256, 32, 32, 32]);
    const attrs = { strides: [1, 1], pad: 'same', dataFormat: 'NHWC', dimRoundingMode: undefined, filterShape: [3, 3, 32, 32] };
    const flop = 2 * 256 * 1024 * 9 * 32 * 32;
    const chunked = timeIt(() => runKernel('Conv2DBackpropFilter', false, { x, dy }, attrs), reps);
    const prev = setFilterChunkBytes(2 ** 40);
    const whole = timeIt(() => runKernel('Conv2DBackpropFilter', false, { x, dy }, attrs), reps);
    setFilterChunkBytes(prev);
    rows.push({ kernel: 'Conv2DBackpropFilter', shape: 'x 256×32×32×32, dy 256×32×32×32 (stock: one conv, no chunks)', unit: 'GFLOP/s', stockMs: whole, projectMs: chunked, stock: flop / whole / 1e6, project: flop / chunked / 1e6 });
    const fwd = timeIt(() => tf.conv2d(x as tf.Tensor4D, r([3, 3, 32, 32]) as tf.Tensor4D, 1, 'same'), reps);
    rows.push({ kernel: 'Conv2D (forward, reference)', shape: 'x 256×32×32×32, W 3×3×32×32', unit: 'GFLOP/s', stockMs: null, projectMs: fwd, stock: null, project: flop / fwd / 1e6 });
  }
  // Matmuls with transposes.
  {
    const a = r([512, 1024]), b = r([512, 1024]);
    add('BatchMatMul', 'Aᵀ·B 1024×512 · 512×1024', 'GFLOP/s', 2 * 1024 * 1024 * 512, 'BatchMatMul', { a: tf.reshape(a, [1, 512, 1024]), b: tf.reshape(b, [1, 512, 1024]) }, { transposeA: true, transposeB: false });
    add('BatchMatMul', 'A·Bᵀ 512×1024 · 1024×512', 'GFLOP/s', 2 * 512 * 512 * 1024, 'BatchMatMul', { a: tf.reshape(a, [1, 512, 1024]), b: tf.reshape(b, [1, 512, 1024]) }, { transposeA: false, transposeB: true });
  }
  // Data movement and reductions (GB/s of input read).
  {
    const x = r([256, 32, 32, 32]);
    const bytes = x.size * 4;
    add('Transpose', '256×32×32×32 by [3,1,2,0]', 'GB/s', bytes, 'Transpose', { x }, { perm: [3, 1, 2, 0] });
    add('Sum', '256×32×32×32 over [0,1,2]', 'GB/s', bytes, 'Sum', { x }, { axis: [0, 1, 2], keepDims: false });
    add('Mean', '256×32×32×32 over [0,1,2]', 'GB/s', bytes, 'Mean', { x }, { axis: [0, 1, 2], keepDims: false });
    add('Identity', '256×32×32×32', 'GB/s', bytes, 'Identity', { x }, {});
  }

  const fmt = (v: number | null, d = 1) => (v === null ? '—' : v.toFixed(d));
  console.log(`wasm: ${info.device}`);
  console.log(`${'kernel'.padEnd(28)} ${'stock ms'.padStart(9)} ${'ours ms'.padStart(9)} ${'stock'.padStart(7)} ${'ours'.padStart(7)} unit     shape`);
  for (const row of rows) {
    console.log(`${row.kernel.padEnd(28)} ${fmt(row.stockMs).padStart(9)} ${fmt(row.projectMs).padStart(9)} ${fmt(row.stock, 2).padStart(7)} ${fmt(row.project, 2).padStart(7)} ${row.unit.padEnd(8)} ${row.shape}`);
  }
  console.log(JSON.stringify({ device: info.device, rows }));
}

await main();
