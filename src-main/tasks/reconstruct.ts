/**
 * MAE's reconstructions of a few test images (the paper's Figure 2; facebookresearch/mae
 * demo/mae_visualize.ipynb `run_one_image`): for each image, three PNGs — the original, the
 * masked input (removed patches grey), and the reconstruction with the visible patches pasted
 * back (the demo's "reconstruction + visible").
 *
 * The run's latest checkpoint gives the encoder (`net/backbone/*`) and the decoder
 * (`net/decoder/*`); the mask is MAE's random masking at the run's maskRatio, drawn from
 * `seed` (default the run's seed), so the same call shows the same masks. Images are
 * normalised with the train split's channel statistics as in training. With normPixLoss (the
 * default) the decoder predicts each patch normalised by its own mean and variance: the
 * picture de-normalises each predicted patch with the original patch's mean and standard
 * deviation (what the demo does for norm-pix models), so only the patch's structure is the
 * network's; without normPixLoss the predicted pixels are shown as they are.
 */
import * as tf from '@tensorflow/tfjs-core';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import sharp from 'sharp';
import { PretextError } from '../core/errors';
import { normalize, randomMasking } from '../ml/augment';
import { vitGrid, vitTokens } from '../ml/backbones/vit';
import { maeDecode } from '../ml/heads/maeDecoder';
import { patchify, unpatchify } from '../ml/losses';
import { readCheckpoint } from '../ml/train/checkpoint';
import { buildModel } from '../ml/train/loop';
import { latestCheckpoint } from '../store/runs';
import type { Workspace } from '../store/workspace';
import { loadNetwork } from './encoder';
import { runContext } from './runContext';
import { readItems } from './thumbnail';
import { loadTrainData } from './trainData';

export interface ReconstructOptions {
  /** Dataset indices of the images; default the first `count` of the test split. */
  indices?: number[];
  /** Images when `indices` is not given (default 4, at most 32). */
  count?: number;
  /** Seed of the masks (default the run's seed). */
  seed?: number;
  /** Nearest-neighbour upscaling of the PNGs (default 4). */
  scale?: number;
}

export interface Reconstruction {
  index: number;
  original: Buffer;
  masked: Buffer;
  reconstruction: Buffer;
}

export interface ReconstructResult {
  runId: string;
  /** Completed training epochs of the checkpoint used. */
  epoch: number;
  maskRatio: number;
  images: Reconstruction[];
}

function bad(message: string, field?: string): PretextError {
  return new PretextError(`reconstruct: ${message}`, field ? { field } : {});
}

async function png(pixels: Uint8Array, size: number, channels: number, scale: number): Promise<Buffer> {
  let img = sharp(Buffer.from(pixels), { raw: { width: size, height: size, channels: channels as 1 | 3 } });
  if (scale > 1) img = img.resize(size * scale, size * scale, { kernel: 'nearest' });
  return img.png().toBuffer();
}

/** Original, masked and reconstructed PNGs of a few images of an MAE run. */
export async function reconstructImages(ws: Workspace, runId: string, opts: ReconstructOptions = {}): Promise<ReconstructResult> {
  const c = runContext(ws, runId);
  if (c.config.method !== 'mae') throw bad(`run ${runId} trained ${c.config.method}; reconstructions need an mae run`, 'runId');
  const ckpt = latestCheckpoint(ws, runId);
  if (!ckpt) throw bad(`run ${runId} has no checkpoint yet (train it first)`, 'runId');
  const file = join(ws.dir, ckpt.path);
  if (!existsSync(file)) throw bad(`run ${runId}: its checkpoint file ${file} is missing`);
  const scale = opts.scale ?? 4;
  if (!Number.isInteger(scale) || scale < 1 || scale > 16) throw bad(`scale must be an integer from 1 to 16, got ${scale}`, 'scale');
  const data = loadTrainData(ws, c.dataset);
  const count = opts.count ?? 4;
  if (!Number.isInteger(count) || count < 1 || count > 32) throw bad(`count must be an integer from 1 to 32, got ${count}`, 'count');
  const indices = opts.indices ?? data.testIdx.slice(0, count);
  if (indices.length < 1 || indices.length > 32) throw bad(`give 1 to 32 image indices, got ${indices.length}`, 'indices');
  for (const i of indices) {
    if (!Number.isInteger(i) || i < 0 || i >= c.dataset.numItems) throw bad(`image index ${i} is outside 0..${c.dataset.numItems - 1}`, 'indices');
  }
  const seed = opts.seed ?? c.config.seed;
  const ratio = c.config.params['maskRatio'] as number;
  const normPix = c.config.params['normPixLoss'] === true;
  const { imageSize: size, channels } = c.dataset;
  const tensors = readCheckpoint(file).tensors;
  const model = buildModel(c.config, { size, channels, numClasses: data.numClasses, trainIdx: data.trainIdx });
  try {
    const decoder = model.networks()['decoder'];
    if (!decoder) throw bad(`run ${runId}'s model has no decoder`);
    loadNetwork(model.backbone, 'backbone', file, tensors);
    loadNetwork(decoder, 'decoder', file, tensors);
    const { rows, cols, patch } = vitGrid(model.backbone, size);
    const n = indices.length;
    const pixels = new Uint8Array(n * size * size * channels);
    indices.forEach((idx, k) => pixels.set(readItems(ws, c.dataset, idx), k * size * size * channels));
    const { keep, mask } = randomMasking(n, rows * cols, ratio, seed);
    const [orig, maskedImg, recon] = tf.tidy(() => {
      const unit = tf.div(tf.tensor4d(pixels, [n, size, size, channels], 'float32'), 255) as tf.Tensor4D;
      const x = normalize(unit, data.stats);
      const keepT = tf.tensor2d(keep, undefined, 'int32');
      const pred = maeDecode(decoder, vitTokens(model.backbone, x, { keep: keepT }), keepT);
      const target = patchify(x, patch);
      let shown: tf.Tensor = pred;
      if (normPix) {
        // pred is in the per-patch normalised space: back with the original patch's statistics.
        const d = target.shape[2];
        const mean = tf.mean(target, -1, true);
        const variance = tf.div(tf.sum(tf.square(tf.sub(target, mean)), -1, true), Math.max(1, d - 1));
        shown = tf.add(tf.mul(pred, tf.sqrt(tf.add(variance, 1e-6))), mean);
      }
      const m = tf.expandDims(tf.tensor2d(mask), 2);
      const pasted = tf.add(tf.mul(target, tf.sub(1, m)), tf.mul(shown, m));
      const back = (p: tf.Tensor) => tf.add(tf.mul(unpatchify(p, rows, cols, patch, channels), tf.tensor1d(data.stats.std)), tf.tensor1d(data.stats.mean));
      const toBytes = (u: tf.Tensor) => tf.cast(tf.round(tf.mul(tf.clipByValue(u, 0, 1), 255)), 'int32');
      const unitPatches = patchify(unit, patch);
      const grey = tf.add(tf.mul(unitPatches, tf.sub(1, m)), tf.mul(m, 0.5));
      return [toBytes(unit), toBytes(unpatchify(grey, rows, cols, patch, channels)), toBytes(back(pasted))];
    });
    const [a, b, r] = [orig, maskedImg, recon].map((t) => Uint8Array.from(t!.dataSync()));
    tf.dispose([orig!, maskedImg!, recon!]);
    const per = size * size * channels;
    const images: Reconstruction[] = [];
    for (let k = 0; k < n; k++) {
      const slice = (arr: Uint8Array) => arr.subarray(k * per, (k + 1) * per);
      images.push({ index: indices[k]!, original: await png(slice(a!), size, channels, scale), masked: await png(slice(b!), size, channels, scale), reconstruction: await png(slice(r!), size, channels, scale) });
    }
    return { runId, epoch: ckpt.epoch + 1, maskRatio: ratio, images };
  } finally {
    model.dispose();
  }
}
