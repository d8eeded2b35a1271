/**
 * `pretext runs import DIR --dataset ID`: the results of an exported recipe (train.py, see
 * tasks/recipe/export.ts) back as a run (issue 15). DIR holds recipe.json (the program copies it
 * into its --out folder), metrics.jsonl and backbone.safetensors. Every file is read and checked
 * before anything is stored: the recipe's method and backbone, the dataset's image size and
 * channels, the safetensors header against its buffer (ml/export/safetensors.ts), each tensor's
 * presence, shape (the recipe's backbone under torchvision's names, ml/export/torchNames.ts) and
 * finiteness, the metrics' lines. The run is then created marked external (backend 'pytorch',
 * backendInfo: where, processes, device, wall time), with its loss/lr curves, its per-epoch kNN
 * and one checkpoint holding the backbone (net/backbone/<i>, as the trainer writes it), so kNN,
 * the probe, maps, the report, encoder export and Compare take it like any run.
 */
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { PretextError } from '../../core/errors';
import type { ImportResultsInfo, MetricPoint } from '../../core/types';
import { buildBackbone } from '../../ml/backbones/registry';
import { parseSafetensors } from '../../ml/export/safetensors';
import { permuteKernel, torchShape, torchvisionNames } from '../../ml/export/torchNames';
import { writeCheckpointFile } from '../../ml/train/checkpoint';
import type { RunConfig } from '../../ml/train/config';
import { resolveDataset } from '../../store/datasets';
import { appendMetrics, createRun, deleteRun, parseRunConfig, recordCheckpoint, runDir, updateRun } from '../../store/runs';
import type { Workspace } from '../../store/workspace';
import { recipeUnsupported } from './export';

export interface ImportResultsOptions {
  dir: string;
  dataset: string;
  /** What the run records as where it came from (default: the folder's path; the UI's upload names the uploaded folder). */
  source?: string;
}

function need(dir: string, name: string): string {
  const path = join(dir, name);
  if (!existsSync(path)) throw new PretextError(`runs import: ${path} is missing (the folder train.py wrote with --out)`, { field: 'dir' });
  return path;
}

function readRecipe(path: string): { config: RunConfig; size: number; channels: number } {
  let json: { config?: unknown; data?: { size?: unknown; channels?: unknown } };
  try {
    json = JSON.parse(readFileSync(path, 'utf8')) as typeof json;
  } catch (err) {
    throw new PretextError(`${path}: not JSON (${(err as Error).message})`, { field: 'dir' });
  }
  let config: RunConfig;
  try {
    config = parseRunConfig(json.config);
  } catch (err) {
    throw new PretextError(`${path}: ${(err as Error).message}`, { field: 'dir' });
  }
  const size = json.data?.size;
  const channels = json.data?.channels;
  if (typeof size !== 'number' || typeof channels !== 'number') throw new PretextError(`${path}: data.size and data.channels must be numbers`, { field: 'dir' });
  const why = recipeUnsupported(config.method, config.backbone);
  if (why) throw new PretextError(`${path}: ${why}`, { field: 'dir' });
  return { config, size, channels };
}

interface Metrics {
  points: MetricPoint[];
  knn: (number | null)[];
  steps: number;
  seconds: number;
  processes: number;
  device: string;
}

function readMetrics(path: string): Metrics {
  const m: Metrics = { points: [], knn: [], steps: 0, seconds: 0, processes: 1, device: 'cpu' };
  const lines = readFileSync(path, 'utf8').split('\n').filter((l) => l.trim());
  const num = (v: unknown, line: number, field: string): number => {
    if (typeof v !== 'number' || !Number.isFinite(v)) throw new PretextError(`${path}: line ${line}: ${field} must be a finite number, got ${JSON.stringify(v)}`, { field: 'dir' });
    return v;
  };
  let wall = 0;
  lines.forEach((text, i) => {
    let o: Record<string, unknown>;
    try {
      o = JSON.parse(text) as Record<string, unknown>;
    } catch {
      throw new PretextError(`${path}: line ${i + 1} is not JSON`, { field: 'dir' });
    }
    const step = num(o['step'], i + 1, 'step');
    const epoch = num(o['epoch'], i + 1, 'epoch');
    if ('loss' in o) {
      m.points.push({ name: 'loss', step, epoch, value: num(o['loss'], i + 1, 'loss'), wall }, { name: 'lr', step, epoch, value: num(o['lr'], i + 1, 'lr'), wall });
      m.steps = Math.max(m.steps, step + 1);
    } else if ('knn_top1' in o) {
      wall = num(o['seconds'], i + 1, 'seconds');
      const knn = o['knn_top1'] === null ? null : num(o['knn_top1'], i + 1, 'knn_top1');
      if (knn !== null) m.points.push({ name: 'knn_top1', step, epoch, value: knn, wall });
      m.knn[epoch] = knn;
      m.seconds = wall;
      m.processes = num(o['processes'], i + 1, 'processes');
      m.device = String(o['device'] ?? 'cpu');
    } else throw new PretextError(`${path}: line ${i + 1} has neither loss nor knn_top1`, { field: 'dir' });
  });
  if (m.knn.length === 0) throw new PretextError(`${path}: no finished epoch (no knn_top1 line)`, { field: 'dir' });
  return m;
}

/** The backbone's checkpoint tensors (net/backbone/<i>) from backbone.safetensors, checked. */
function readWeights(path: string, config: RunConfig, size: number, channels: number): { tensors: [string, number[], Float32Array][]; metadata: Record<string, string> } {
  let parsed;
  try {
    parsed = parseSafetensors(readFileSync(path), path);
  } catch (err) {
    throw new PretextError((err as Error).message, { field: 'dir' });
  }
  const net = buildBackbone(config, { size, channels });
  try {
    const tensors = torchvisionNames(net, config.backbone).map((n): [string, number[], Float32Array] => {
      const t = parsed.tensors.get(n.name);
      const want = torchShape(n);
      if (!t) throw new PretextError(`${path}: no tensor '${n.name}' (the recipe's ${config.backbone} width ${config.width} needs it)`, { field: 'dir' });
      if (t.shape.join(',') !== want.join(',')) throw new PretextError(`${path}: tensor '${n.name}' has shape [${t.shape}], the recipe's ${config.backbone} width ${config.width} needs [${want}]`, { field: 'dir' });
      const bad = t.values.findIndex((v) => !Number.isFinite(v));
      if (bad >= 0) throw new PretextError(`${path}: tensor '${n.name}' holds ${t.values[bad]} at element ${bad}`, { field: 'dir' });
      return [`net/backbone/${n.index}`, n.shape, n.conv ? permuteKernel(t.values, n.shape, false) : t.values];
    });
    return { tensors, metadata: parsed.metadata };
  } finally {
    net.dispose();
  }
}

export function importRunResults(ws: Workspace, o: ImportResultsOptions): ImportResultsInfo {
  const dir = resolve(o.dir);
  const recipePath = need(dir, 'recipe.json');
  const metricsPath = need(dir, 'metrics.jsonl');
  const weightsPath = need(dir, 'backbone.safetensors');
  const dataset = resolveDataset(ws, o.dataset);
  if (!dataset) throw new PretextError(`runs import: no dataset '${o.dataset}'`, { field: 'dataset' });
  const recipe = readRecipe(recipePath);
  if (recipe.size !== dataset.imageSize || recipe.channels !== dataset.channels) {
    throw new PretextError(`runs import: ${recipePath} trained on ${recipe.size}px × ${recipe.channels} channels, dataset ${dataset.name} is ${dataset.imageSize}px × ${dataset.channels}`, { field: 'dataset' });
  }
  const metrics = readMetrics(metricsPath);
  const weights = readWeights(weightsPath, recipe.config, recipe.size, recipe.channels);
  const epochs = metrics.knn.length;
  const lastStep = Math.max(0, metrics.steps - 1);
  const run = createRun(ws, dataset.id, recipe.config.method, recipe.config);
  try {
    mkdirSync(runDir(ws, run.id), { recursive: true });
    const rel = join('runs', run.id, `checkpoint-e${String(epochs).padStart(4, '0')}.bin`);
    writeCheckpointFile(join(ws.dir, rel), weights.tensors, { epoch: epochs - 1, step: lastStep, trainSeconds: metrics.seconds, external: true });
    appendMetrics(ws, run.id, metrics.points);
    recordCheckpoint(ws, run.id, { epoch: epochs - 1, step: lastStep, path: rel });
    const now = new Date().toISOString();
    updateRun(ws, run.id, {
      status: 'completed',
      backend: 'pytorch',
      backendInfo: { external: true, where: weights.metadata['host'] ?? 'unknown', processes: metrics.processes, device: metrics.device, wallSeconds: metrics.seconds, importedFrom: o.source ?? dir },
      epochsDone: epochs,
      stepsDone: metrics.steps,
      trainSeconds: metrics.seconds,
      startedAt: now,
      finishedAt: now,
    });
  } catch (err) {
    deleteRun(ws, run.id);
    throw err;
  }
  return { runId: run.id, epochs, steps: metrics.steps, knnTop1: metrics.knn, processes: metrics.processes, device: metrics.device };
}
