/** augment.* and methods.list: presets, a preview of views (PNG data URLs), the method registry. */
import sharp from 'sharp';
import * as tf from '@tensorflow/tfjs-core';
import { taskMontage } from '../ml/augment/grid';
import { JITTER_OPS, taskCaptions, taskPieces, PRESET_NAMES, presetSummary, renderViews, resolvePreset, validateViewSpec, type ViewParams, type ViewSpec } from '../ml/augment';
import { spreadIndices } from '../ml/augment/grid';
import { defaultViews, methods } from '../ml/methods';
import { previewMaskColumn } from '../ml/methods/views';
import { shortCite } from '../ml/methods/cite';
import { readItems } from '../tasks/thumbnail';
import { classNames, datasetItems, getDataset, type DatasetRow } from '../store/datasets';
import type { AugmentOps, AugmentPreviewRequest, MethodInfo, PresetInfo, ViewSpecJson } from './contract';
import type { Handlers, ServiceContext } from './context';
import { pngDataUrl, thumbScale } from './dto';
import { notFound, PretextError } from '../core/errors';

/** Presets are listed at this image size (the Augment view re-resolves for its dataset). */
export const PRESET_LIST_SIZE = 32;

const toJson = (v: ViewSpec[]) => JSON.parse(JSON.stringify(v)) as ViewSpecJson[];

function chooseViews(req: AugmentPreviewRequest, row: DatasetRow): { name: string; views: ViewSpec[] } {
  try {
    if (req.views) {
      if (!Array.isArray(req.views) || req.views.length === 0) throw new Error('views: at least one view pipeline is needed');
      const views = req.views as unknown as ViewSpec[];
      views.forEach(validateViewSpec);
      return { name: req.preset ?? req.method ?? 'custom', views };
    }
    if (req.preset) return { name: req.preset, views: resolvePreset(req.preset, row.imageSize) };
    if (req.method) return defaultViews(req.method, row.imageSize);
    throw new Error('give a preset, a method or views');
  } catch (err) {
    throw new PretextError(`augment preview: ${(err as Error).message}`);
  }
}

/** What fired on one image's view, as the pipeline sampled it (the crop only when the view crops). */
export function opsOf(spec: ViewSpec, p: ViewParams): AugmentOps {
  const j = p.jitter;
  return {
    crop: spec.crop ? { ...p.crop } : null,
    flip: p.flip,
    jitter: j && {
      order: j.order.map((k) => JITTER_OPS[k]!),
      brightness: j.factors[0],
      contrast: j.factors[1],
      saturation: j.factors[2],
      hue: j.factors[3],
    },
    grayscale: p.grayscale,
    blurSigma: spec.blur ? p.blurSigma : null,
    solarize: p.solarize,
    ...(spec.task && p.task ? { task: taskCaptions(spec.task, p.task) } : {}),
  };
}

/** A float [0,1] or uint8 NHWC picture → PNG data URL, scaled up (nearest) for small images. */
async function png(data: Uint8Array | Float32Array, size: number, channels: 1 | 3, scale: number): Promise<string> {
  const bytes = data instanceof Uint8Array ? data : Uint8Array.from(data, (v) => Math.min(255, Math.max(0, Math.round(v * 255))));
  let img = sharp(bytes, { raw: { width: size, height: size, channels } });
  if (scale > 1) img = img.resize(size * scale, size * scale, { kernel: 'nearest' });
  return pngDataUrl(await img.png().toBuffer());
}

export function augmentHandlers(ctx: ServiceContext): Handlers<'augment.presets' | 'augment.preview' | 'methods.list'> {
  const { ws } = ctx;
  return {
    'augment.presets': async () =>
      PRESET_NAMES.map((name): PresetInfo => ({ name, summary: presetSummary(name) ?? '', views: toJson(resolvePreset(name, PRESET_LIST_SIZE)) })),

    'methods.list': async () =>
      Object.values(methods).map(
        (m): MethodInfo => ({
          name: m.name,
          summary: m.summary,
          paper: m.reference,
          cite: shortCite(m.reference) ?? undefined,
          params: { ...m.params },
          train: { ...m.train },
          preset: typeof m.preset === 'function' ? 'method' : m.preset,
          ...(m.requiresViT ? { requiresViT: true } : {}),
        }),
      ),

    'augment.preview': async (req) => {
      // count and seed were checked against the request's schema where it entered (api/schema).
      const t0 = performance.now();
      const row = getDataset(ws, req.datasetId);
      if (!row) throw notFound(`dataset '${req.datasetId}'`);
      const count = req.count ?? 8;
      const seed = req.seed ?? 0;
      const { name, views } = chooseViews(req, row);
      await ctx.backend();
      const items = datasetItems(ws, row.id).filter((it) => req.split === undefined || it.split === req.split);
      if (items.length === 0) throw new PretextError(`dataset '${row.id}' has no ${req.split ?? ''} images`);
      const picked = spreadIndices(items.length, count).map((i) => items[i]!);
      const per = row.imageSize * row.imageSize * row.channels;
      const pixels = new Uint8Array(picked.length * per);
      picked.forEach((it, i) => pixels.set(readItems(ws, row, it.idx), i * per));
      const ops: AugmentOps[][] = picked.map(() => []);
      const onParams = (v: number, params: readonly ViewParams[]) => params.forEach((p, i) => (ops[i]![v] = opsOf(views[v]!, p)));
      const rendered = renderViews({ pixels, shape: [picked.length, row.imageSize, row.imageSize, row.channels] }, views, seed, { onParams });
      let data: { size: number; values: Float32Array }[];
      let masked: ReturnType<typeof previewMaskColumn> = null;
      try {
        data = rendered.map((t, v) => {
          const task = views[v]!.task;
          if (!task) return { size: t.shape[1], values: t.dataSync() as Float32Array };
          const m = taskMontage(t.dataSync() as Float32Array, picked.length, taskPieces(task), t.shape[1], row.channels);
          return { size: m.size, values: m.data as Float32Array };
        });
        masked = previewMaskColumn(req.method, data[0]!, picked.length, row.channels, seed);
      } finally {
        tf.dispose(rendered);
      }
      const classes = classNames(ws, row.id);
      const viewValues = (size: number) => size * size * row.channels;
      const scale = (size: number) => thumbScale(size);
      const rows = await Promise.all(
        picked.map(async (it, i) => ({
          index: it.idx,
          label: it.label === null ? null : (classes[it.label] ?? String(it.label)),
          original: await png(pixels.subarray(i * per, (i + 1) * per), row.imageSize, row.channels, scale(row.imageSize)),
          views: await Promise.all(
            data.map((v) => {
              const n = v.size * v.size * row.channels;
              return png(v.values.subarray(i * n, (i + 1) * n), v.size, row.channels, scale(v.size));
            }),
          ),
          ops: ops[i]!,
          ...(masked ? { masked: await png(masked.picture.data.subarray(i * viewValues(masked.picture.size), (i + 1) * viewValues(masked.picture.size)), masked.picture.size, row.channels, scale(masked.picture.size)) } : {}),
        })),
      );
      return { preset: name, views: toJson(views), seed, rows, ...(masked ? { masked: { caption: masked.caption } } : {}), millis: performance.now() - t0 };
    },
  };
}
