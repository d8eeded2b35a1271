import { noSuch } from '../../core/errors';
import { usageError } from '../errors';
import { mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import sharp from 'sharp';
import * as tf from '@tensorflow/tfjs-core';
import { PRESET_NAMES, presetSummary, renderViews, resolvePreset, taskPieces, type ViewParams, type ViewSpec } from '../../ml/augment';
import { spreadIndices, taskMontage, viewGrid } from '../../ml/augment/grid';
import { previewMaskColumn } from '../../ml/methods/views';
import { initBackend } from '../../ml/backend';
import { defaultViews, methods } from '../../ml/methods';
import { readPixels, resolveDataset, type DatasetRow } from '../../store/datasets';
import { augmentOptions } from '../../api/schema/commands';
import { opsOf } from '../../api/augmentApi';
import type { AugmentOps } from '../../api/contract';
import { parseOptions, synopsis } from '../args';
import type { Command } from '../command';
import { PretextError, throwIfAborted } from '../../core/errors';

const syn = (name: string) => synopsis(augmentOptions, name);
const usage = `Usage: pretext augment ${syn('datasetId')} (${syn('preset').slice(1, -1)} | ${syn('method').slice(1, -1)}) ${syn('out')} ${syn('count')} ${syn('seed')}

Writes DIR/augment-<preset>.png: one row per image (N images spread over the dataset,
default 8), the original then each view, rendered by the training code path (before
normalisation). --method uses that method's default preset for the dataset's image size.
Presets: ${PRESET_NAMES.join(', ')}`;

/** The views to show and the name they go by. */
function chooseViews(preset: string | undefined, method: string | undefined, row: DatasetRow): { name: string; views: ViewSpec[] } {
  if (preset && method) throw usageError('give --preset or --method, not both');
  try {
    if (preset) return { name: preset, views: resolvePreset(preset, row.imageSize) };
    if (!method) throw usageError(`--preset or --method is required\n${usage}`);
    return defaultViews(method, row.imageSize);
  } catch (err) {
    if (err instanceof PretextError) throw err;
    throw usageError(`${(err as Error).message}`);
  }
}

export const augmentCommand: Command = {
  name: 'augment',
  summary: 'preview a preset: PNG grid of images and their augmented views',
  usage,
  async run(args, ctx) {
    const v = parseOptions(args, augmentOptions, usage).values;
    const count = v.count ?? 8;
    const seed = v.seed ?? 0;
    const ws = ctx.workspace();
    const row = resolveDataset(ws, v.datasetId!);
    if (!row) throw noSuch('dataset', v.datasetId!);
    if (v.method && !methods[v.method]) throw usageError(`unknown method '${v.method}' (known: ${Object.keys(methods).join(', ')})`);
    const { name, views } = chooseViews(v.preset, v.method, row);

    const backend = await initBackend({ prefer: ctx.backend });
    for (const s of backend.skipped) ctx.progress.log(`backend ${s.name} unavailable: ${s.reason}`);
    throwIfAborted(ctx.signal);

    const all = readPixels(ws, row);
    const per = row.imageSize * row.imageSize * row.channels;
    const indices = spreadIndices(row.numItems, count);
    const pixels = new Uint8Array(indices.length * per);
    indices.forEach((idx, i) => pixels.set(all.subarray(idx * per, (idx + 1) * per), i * per));
    // What fired on each image's views, with the sampled parameters (as augment.preview returns them).
    const ops: AugmentOps[][] = indices.map(() => []);
    const onParams = (view: number, params: readonly ViewParams[]) => params.forEach((p, i) => (ops[i]![view] = opsOf(views[view]!, p)));
    const rendered = renderViews({ pixels, shape: [indices.length, row.imageSize, row.imageSize, row.channels] }, views, seed, { onParams });
    let columns;
    let masked: ReturnType<typeof previewMaskColumn> = null;
    try {
      columns = [
        { size: row.imageSize, data: pixels },
        ...rendered.map((t, j) => {
          const task = views[j]!.task;
          const data = t.dataSync() as Float32Array;
          return task ? taskMontage(data, indices.length, taskPieces(task), t.shape[1], row.channels) : { size: t.shape[1], data };
        }),
      ];
      // Masked image modelling: the first view again, without the patches the method's masks remove.
      masked = previewMaskColumn(v.method, { size: columns[1]!.size, values: columns[1]!.data as Float32Array }, indices.length, row.channels, seed);
      if (masked) columns.push(masked.picture);
    } finally {
      tf.dispose(rendered);
    }
    const grid = viewGrid(columns, indices.length, row.channels);
    // Small images are hard to see: scale the grid up (nearest) so a cell is at least ~128 px.
    const scale = Math.max(1, Math.floor(128 / Math.max(row.imageSize, ...views.map((s) => s.size))));
    const outDir = resolve(v.out!);
    try {
      mkdirSync(outDir, { recursive: true });
    } catch (err) {
      throw new PretextError(`cannot create output folder ${outDir}: ${(err as Error).message}`);
    }
    const file = join(outDir, `augment-${name}.png`);
    try {
      await sharp(grid.data, { raw: { width: grid.width, height: grid.height, channels: grid.channels } })
        .resize(grid.width * scale, grid.height * scale, { kernel: 'nearest' })
        .toColourspace(grid.channels === 1 ? 'b-w' : 'srgb')
        .png()
        .toFile(file);
    } catch (err) {
      throw new PretextError(`cannot write ${file}: ${(err as Error).message}`);
    }
    ctx.print(`wrote ${file}: ${indices.length} images × (original + ${views.length} views of ${name}${masked ? ' + masked' : ''}) on ${backend.name}`);
    if (presetSummary(name)) ctx.print(`  ${name}: ${presetSummary(name)}`);
    if (masked) ctx.print(`  masked: ${masked.caption}`);
    return {
      file,
      dataset: row.id,
      preset: name,
      seed,
      backend: backend.name,
      items: indices,
      columns: ['original', ...views.map((s) => s.name), ...(masked ? ['masked'] : [])],
      ...(masked ? { masked: { caption: masked.caption } } : {}),
      views: views.map((s) => ({ name: s.name, size: s.size })),
      width: grid.width * scale,
      height: grid.height * scale,
      ops,
    };
  },
};
