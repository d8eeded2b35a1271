/**
 * Convolution gradients for the wasm backend, built on the package's XNNPACK forward Conv2D.
 *
 * - Conv2DBackpropFilter (missing from the package): dW[fh,fw,ci,co] = Σ_{b,oh,ow}
 *   x[b, oh·s+fh−pt, ow·s+fw−pl, ci] · dy[b,oh,ow,co] is a forward convolution of
 *   xᵀ = x as [ci, H, W, b] with the "filter" dy as [OH, OW, b, co], stride 1, dilation = the
 *   forward stride; its output [ci, FH, FW, co] is transposed back.
 * - Conv2DBackpropInput (the package's is a scalar loop): for stride 1 a forward convolution of dy
 *   with the flipped, in/out-swapped filter; for stride s a sub-pixel split: the input rows with
 *   ih + pt ≡ r (mod s) only see filter taps fh ≡ r (mod s), so each of the s² phases is a
 *   stride-1 convolution with a small flipped sub-filter, scattered back into dx.
 * Padding is arbitrary and signed: a negative pad crops the input.
 */
import { backend_util, type NamedAttrMap, type TensorInfo } from '@tensorflow/tfjs-core';
import { f32, free, idOf, moduleOf, stock, type WasmBackend } from './heap';
import { transpose } from './transpose';

type ConvFn = (...args: number[]) => void;
const convFns = new WeakMap<object, ConvFn>();

function wasmConv(backend: WasmBackend): ConvFn {
  let fn = convFns.get(backend);
  if (!fn) {
    // Conv2D(xId, batch, inH, inW, filterId, fh, fw, padT, padR, padB, padL, isSame,
    //        dilH, dilW, strideH, strideW, inC, outC, outId)
    fn = moduleOf(backend).cwrap('Conv2D', null, new Array<string>(19).fill('number'));
    convFns.set(backend, fn);
  }
  return fn;
}

export interface ConvGeometry {
  /** Signed explicit pads: top, bottom, left, right. Negative values crop the input. */
  pads: [number, number, number, number];
  strides: [number, number];
  dilations: [number, number];
}

/** Output size of a convolution along one axis. */
function outSize(size: number, padA: number, padB: number, k: number, stride: number, dil: number): number {
  return Math.floor((size + padA + padB - ((k - 1) * dil + 1)) / stride) + 1;
}

/**
 * Forward NHWC convolution x [B,H,W,C] * filter [FH,FW,C,CO] on the XNNPACK kernel with signed
 * explicit padding. Returns null when the output would be empty.
 */
export function convExplicit(
  backend: WasmBackend,
  x: TensorInfo,
  filter: TensorInfo,
  g: ConvGeometry,
): TensorInfo | null {
  const [fh, fw, cin, cout] = filter.shape as number[];
  let [pt, pb, pl, pr] = g.pads;
  let input = x;
  if (pt < 0 || pb < 0 || pl < 0 || pr < 0) {
    const [b, h, w, c] = x.shape as number[];
    const ct = Math.max(0, -pt), cb = Math.max(0, -pb), cl = Math.max(0, -pl), cr = Math.max(0, -pr);
    if (h - ct - cb <= 0 || w - cl - cr <= 0) return null;
    input = stock('Slice', backend, { x }, { begin: [0, ct, cl, 0], size: [b, h - ct - cb, w - cl - cr, c] });
    pt = Math.max(0, pt); pb = Math.max(0, pb); pl = Math.max(0, pl); pr = Math.max(0, pr);
  }
  const [b, h, w] = input.shape as number[];
  const oh = outSize(h, pt, pb, fh, g.strides[0], g.dilations[0]);
  const ow = outSize(w, pl, pr, fw, g.strides[1], g.dilations[1]);
  if (oh <= 0 || ow <= 0) {
    if (input !== x) free(backend, input);
    return null;
  }
  const out = backend.makeOutput([b, oh, ow, cout], 'float32');
  wasmConv(backend)(
    idOf(backend, input), b, h, w, idOf(backend, filter), fh, fw, pt, pr, pb, pl, 0,
    g.dilations[0], g.dilations[1], g.strides[0], g.strides[1], cin, cout, idOf(backend, out),
  );
  if (input !== x) free(backend, input);
  return out;
}

function checkChannelsLast(attrs: NamedAttrMap, kernel: string): void {
  const fmt = attrs['dataFormat'];
  if (fmt !== undefined && fmt !== 'NHWC' && fmt !== 'channelsLast') {
    throw new Error(`wasm ${kernel} supports NHWC only, got dataFormat ${String(fmt)}`);
  }
}

function convInfo(xShape: number[], filterShape: number[], attrs: NamedAttrMap) {
  return backend_util.computeConv2DInfo(
    xShape as [number, number, number, number],
    filterShape as [number, number, number, number],
    attrs['strides'] as number | [number, number],
    1,
    attrs['pad'] as 'same' | 'valid' | number | backend_util.ExplicitPadding,
    attrs['dimRoundingMode'] as 'floor' | 'round' | 'ceil' | undefined,
  );
}

/** Bytes of dy ("filter" of the gradient convolution) per batch chunk: stays in L2 once packed. */
let FILTER_CHUNK_BYTES = 1 << 20;

/** Sets the chunk size (tests use tiny chunks on tiny shapes); returns the previous one. */
export function setFilterChunkBytes(bytes: number): number {
  const prev = FILTER_CHUNK_BYTES;
  FILTER_CHUNK_BYTES = bytes;
  return prev;
}

/** Largest divisor of `batch` whose dy chunk fits FILTER_CHUNK_BYTES (at least 1). */
function chunkImages(batch: number, perImageBytes: number): number {
  const target = Math.max(1, Math.floor(FILTER_CHUNK_BYTES / perImageBytes));
  for (let g = Math.min(batch, target); g >= 1; g--) if (batch % g === 0) return g;
  return 1;
}

let nextViewId = 2 ** 30;

/** Registers a window of the heap as a C++ tensor id (no allocation; unregister with dropView). */
function view(backend: WasmBackend, byteOffset: number, size: number): number {
  const id = nextViewId++;
  const tfjs = (backend.wasm as unknown as { tfjs: Record<string, (...a: number[]) => void> }).tfjs;
  tfjs['registerTensor']!(id, size, byteOffset);
  return id;
}

function dropView(backend: WasmBackend, id: number): void {
  // Runs the C++ disposal callbacks (the cached XNNPACK operator of a filter id); frees nothing.
  (backend.wasm as unknown as { tfjs: Record<string, (...a: number[]) => void> }).tfjs['disposeData']!(id);
}

export function conv2DBackpropFilter(args: {
  inputs: { x: TensorInfo; dy: TensorInfo };
  backend: WasmBackend;
  attrs: NamedAttrMap;
}): TensorInfo {
  const { inputs: { dy }, backend, attrs } = args;
  let x = args.inputs.x;
  checkChannelsLast(attrs, 'Conv2DBackpropFilter');
  const filterShape = attrs['filterShape'] as number[];
  const info = convInfo(x.shape as number[], filterShape, attrs);
  const [fh, fw, cin, cout] = filterShape as [number, number, number, number];
  const [batch, h0, w0] = x.shape as number[];
  const [, oh, ow] = dy.shape as number[];
  const sh = info.strideHeight, sw = info.strideWidth;
  const pt = info.padInfo.top, pl = info.padInfo.left;
  let pb = fh - 1 + (oh - 1) * sh + 1 - h0! - pt;
  let pr = fw - 1 + (ow - 1) * sw + 1 - w0! - pl;
  // Rows/columns past the last window are never read: crop them (negative pad).
  let cropped: TensorInfo | null = null;
  if (pb < 0 || pr < 0) {
    cropped = stock('Slice', backend, { x }, { begin: [0, 0, 0, 0], size: [batch!, h0! + Math.min(0, pb), w0! + Math.min(0, pr), cin] });
    x = cropped;
    pb = Math.max(0, pb);
    pr = Math.max(0, pr);
  }
  const [, h, w] = x.shape as number[];
  // Split the batch so each chunk's dy, packed by XNNPACK as the filter, stays in cache; every
  // chunk is one convolution of x as [ci, H, W, g] with dy as [OH, OW, g, co], stride 1,
  // dilation = the forward stride. Layouts [nc, ci, H, W, g] and [nc, OH, OW, g, co] make each
  // chunk contiguous; the chunks are addressed as C++ tensor views, not copies.
  const g = chunkImages(batch!, oh! * ow! * cout * 4);
  const nc = batch! / g;
  const xT = transpose({ inputs: { x: { dataId: x.dataId, shape: [nc, g, h!, w!, cin], dtype: 'float32' } }, backend, attrs: { perm: [0, 4, 2, 3, 1] } });
  const dyT = transpose({ inputs: { x: { dataId: dy.dataId, shape: [nc, g, oh!, ow!, cout], dtype: 'float32' } }, backend, attrs: { perm: [0, 2, 3, 1, 4] } });
  if (cropped) free(backend, cropped);
  const part = cin * fh * fw * cout;
  const parts = backend.makeOutput([nc, cin, fh, fw, cout], 'float32');
  const xOff = backend.dataIdMap.get(xT.dataId)!.memoryOffset;
  const dOff = backend.dataIdMap.get(dyT.dataId)!.memoryOffset;
  const pOff = backend.dataIdMap.get(parts.dataId)!.memoryOffset;
  const xSize = cin * h! * w! * g, dSize = oh! * ow! * g * cout;
  const conv = wasmConv(backend);
  for (let c = 0; c < nc; c++) {
    const xi = view(backend, xOff + c * xSize * 4, xSize);
    const fi = view(backend, dOff + c * dSize * 4, dSize);
    const oi = view(backend, pOff + c * part * 4, part);
    conv(xi, cin, h!, w!, fi, oh!, ow!, pt, pr, pb, pl, 0, sh, sw, 1, 1, g, cout, oi);
    dropView(backend, xi);
    dropView(backend, fi);
    dropView(backend, oi);
  }
  free(backend, xT, dyT);
  // Sum the chunks (float64) and permute [ci, fh, fw, co] → [fh, fw, ci, co].
  const out = backend.makeOutput([fh, fw, cin, cout], 'float32');
  const src = f32(backend, parts);
  const dst = f32(backend, out);
  const acc = new Float64Array(part);
  for (let c = 0; c < nc; c++) {
    const base = c * part;
    for (let i = 0; i < part; i++) acc[i] += src[base + i]!;
  }
  const tap = fh * fw;
  for (let ci = 0; ci < cin; ci++) {
    for (let t = 0; t < tap; t++) {
      const s0 = (ci * tap + t) * cout, d0 = (t * cin + ci) * cout;
      for (let co = 0; co < cout; co++) dst[d0 + co] = acc[s0 + co]!;
    }
  }
  free(backend, parts);
  return out;
}

/**
 * The sub-filter of phase (rh, rw), flipped and with in/out swapped:
 * F[j,k,co,ci] = W[rh + (kh−1−j)·sh, rw + (kw−1−k)·sw, ci, co].
 */
function phaseFilter(
  backend: WasmBackend, filter: TensorInfo, rh: number, rw: number, kh: number, kw: number, sh: number, sw: number,
): TensorInfo {
  const [, fwid, cin, cout] = filter.shape as number[];
  const out = backend.makeOutput([kh, kw, cout, cin], 'float32');
  const src = f32(backend, filter);
  const dst = f32(backend, out);
  for (let j = 0; j < kh; j++) {
    const fy = rh + (kh - 1 - j) * sh;
    for (let k = 0; k < kw; k++) {
      const fx = rw + (kw - 1 - k) * sw;
      const s0 = (fy * fwid + fx) * cin * cout;
      const d0 = (j * kw + k) * cout * cin;
      for (let ci = 0; ci < cin; ci++) {
        const s = s0 + ci * cout;
        for (let co = 0; co < cout; co++) dst[d0 + co * cin + ci] = src[s + co]!;
      }
    }
  }
  return out;
}

export function conv2DBackpropInput(args: {
  inputs: { dy: TensorInfo; filter: TensorInfo };
  backend: WasmBackend;
  attrs: NamedAttrMap;
}): TensorInfo {
  const { inputs: { dy, filter }, backend, attrs } = args;
  checkChannelsLast(attrs, 'Conv2DBackpropInput');
  const inputShape = attrs['inputShape'] as number[];
  const info = convInfo(inputShape, filter.shape as number[], attrs);
  const [fh, fw, cin] = filter.shape as number[];
  const [batch, h, w] = inputShape;
  const [, oh, ow] = dy.shape as number[];
  const sh = info.strideHeight, sw = info.strideWidth;
  const pt = info.padInfo.top, pl = info.padInfo.left;

  if (sh === 1 && sw === 1) {
    const flt = phaseFilter(backend, filter, 0, 0, fh, fw, 1, 1);
    const pads: [number, number, number, number] = [fh - 1 - pt, 0, fw - 1 - pl, 0];
    pads[1] = h - 1 + fh - oh - pads[0];
    pads[3] = w - 1 + fw - ow - pads[2];
    const res = convExplicit(backend, dy, flt, { pads, strides: [1, 1], dilations: [1, 1] });
    free(backend, flt);
    if (res) return res;
    const zeros = backend.makeOutput(inputShape, 'float32');
    f32(backend, zeros).fill(0);
    return zeros;
  }

  const dx = backend.makeOutput(inputShape, 'float32');
  for (let rh = 0; rh < sh; rh++) {
    const kh = rh < fh ? Math.ceil((fh - rh) / sh) : 0;
    const qh0 = Math.ceil((pt - rh) / sh);
    const qh = Math.floor((h - 1 + pt - rh) / sh) - qh0 + 1;
    for (let rw = 0; rw < sw; rw++) {
      const kw = rw < fw ? Math.ceil((fw - rw) / sw) : 0;
      const qw0 = Math.ceil((pl - rw) / sw);
      const qw = Math.floor((w - 1 + pl - rw) / sw) - qw0 + 1;
      if (qh <= 0 || qw <= 0) continue;
      let res: TensorInfo | null = null;
      if (kh > 0 && kw > 0) {
        const flt = phaseFilter(backend, filter, rh, rw, kh, kw, sh, sw);
        const ptp = kh - 1 - qh0, plp = kw - 1 - qw0;
        const pads: [number, number, number, number] = [ptp, qh - 1 + kh - oh - ptp, plp, qw - 1 + kw - ow - plp];
        res = convExplicit(backend, dy, flt, { pads, strides: [1, 1], dilations: [1, 1] });
        free(backend, flt);
      }
      // Scatter the phase [B, qh, qw, cin] into dx rows (qh0+t)·sh + rh − pt (zeros if no tap).
      const heap = moduleOf(backend).HEAPF32;
      const dst0 = backend.dataIdMap.get(dx.dataId)!.memoryOffset >>> 2;
      const src0 = res ? backend.dataIdMap.get(res.dataId)!.memoryOffset >>> 2 : 0;
      const step = sw * cin;
      for (let b = 0; b < batch; b++) {
        for (let t = 0; t < qh; t++) {
          const iy = (qh0 + t) * sh + rh - pt;
          let s = src0 + (b * qh + t) * qw * cin;
          let d = dst0 + ((b * h + iy) * w + qw0 * sw + rw - pl) * cin;
          if (res) for (let u = 0; u < qw; u++, s += cin, d += step) heap.copyWithin(d, s, s + cin);
          else for (let u = 0; u < qw; u++, d += step) heap.fill(0, d, d + cin);
        }
      }
      if (res) free(backend, res);
    }
  }
  return dx;
}
