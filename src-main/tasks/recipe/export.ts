/**
 * `pretext export recipe RUN --out DIR [--with-data] [--init-from-run]`: a run's recipe as a
 * self-contained PyTorch DistributedDataParallel program (issue 15). DIR gets
 * - train.py and ddp_parts.py (resources/recipe/: DDP, sampler, gathering, rank-0 logging,
 *   checkpoints, resume, metrics.jsonl, backbone.safetensors, the kNN monitor);
 * - the method modules of `pretext bench quality`'s PyTorch peer, copied unchanged
 *   (src-main/bench/peer/{ssl_methods,ssl_parts,torch_quality,torch_engine}.py), so the
 *   recipes have one PyTorch implementation;
 * - recipe.json: the run's resolved config, its training views (the preset's ops and
 *   parameters), the data's size, channels, classes and normalisation statistics;
 * - README.md with the commands (one process, torchrun on one node, several nodes, SLURM);
 * - data.npz with --with-data (pixels uint8 N×H×W×C, labels, train_idx, test_idx);
 * - init.safetensors with --init-from-run: the run's latest backbone weights under torchvision's
 *   names, the program's starting point.
 */
import { copyFileSync, existsSync, mkdirSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { PretextError } from '../../core/errors';
import { buildBackbone } from '../../ml/backbones/registry';
import { resnetBlocks } from '../../ml/backbones/resnet';
import { encodeSafetensors, type SafeTensor } from '../../ml/export/safetensors';
import { permuteKernel, torchShape, torchvisionNames } from '../../ml/export/torchNames';
import { PRETEXT_VERSION } from '../../ml/export/version';
import { trainingViews } from '../../ml/methods';
import { evaluationSpec } from '../../ml/methods/evaluation';
import { readCheckpoint } from '../../ml/train/checkpoint';
import { classNames, readPixels } from '../../store/datasets';
import { latestCheckpoint } from '../../store/runs';
import type { Workspace } from '../../store/workspace';
import { runContext } from '../runContext';
import { loadTrainData } from '../trainData';
import { writeNpz } from './npz';
import { recipeProgramFiles } from './programFiles';
import { recipeReadme } from './readme';

/** Methods the exported program implements (the PyTorch peer's modules). */
export const RECIPE_METHODS = ['simclr', 'moco', 'byol', 'simsiam', 'barlow', 'vicreg'];

export interface RecipeOptions {
  out: string;
  withData?: boolean;
  initFromRun?: boolean;
}

export interface RecipeResult {
  runId: string;
  dir: string;
  files: { path: string; bytes: number }[];
}

/** Why the program cannot run this run's recipe, or null when it can. */
export function recipeUnsupported(method: string, backbone: string): string | null {
  if (!RECIPE_METHODS.includes(method)) return `method '${method}' has no PyTorch implementation in the exported program (it implements ${RECIPE_METHODS.join(', ')})`;
  if (!resnetBlocks(backbone)) return `backbone '${backbone}' has no PyTorch counterpart (ResNets only)`;
  return null;
}

export function exportRecipe(ws: Workspace, runRef: string, o: RecipeOptions): RecipeResult {
  const c = runContext(ws, runRef);
  const why = recipeUnsupported(c.config.method, c.config.backbone);
  if (why) throw new PretextError(`export recipe: run ${c.run.id}: ${why}`, { field: 'run' });
  if (evaluationSpec(c.config.method, c.config.params).input === 'luminance') {
    // Its backbone reads one luminance channel (ml/backbones/luminance.ts); the program's model reads the images.
    throw new PretextError(`export recipe: run ${c.run.id} trained an L-only encoder (${c.config.method} with input luminance), which the exported program does not implement`, { field: 'run' });
  }
  const dir = resolve(o.out);
  if (existsSync(dir) && readdirSync(dir).length > 0) throw new PretextError(`export recipe: ${dir} exists and is not empty (choose a new folder)`, { field: 'out' });
  mkdirSync(dir, { recursive: true });
  const files: RecipeResult['files'] = [];
  const wrote = (name: string, bytes: number) => files.push({ path: join(dir, name), bytes });
  for (const { name, path } of recipeProgramFiles()) {
    copyFileSync(path, join(dir, name));
    wrote(name, statSync(join(dir, name)).size);
  }
  const data = loadTrainData(ws, c.dataset);
  const size = c.dataset.imageSize;
  const recipe = {
    pretext: { version: PRETEXT_VERSION, runId: c.run.id, datasetId: c.dataset.id, dataset: c.dataset.name },
    config: c.config,
    views: trainingViews(c.config.method, c.config.preset, size, c.config.params),
    data: { size, channels: c.dataset.channels, numClasses: data.numClasses, classNames: classNames(ws, c.dataset.id), stats: data.stats },
  };
  const text = (name: string, s: string) => {
    writeFileSync(join(dir, name), s);
    wrote(name, Buffer.byteLength(s));
  };
  text('recipe.json', `${JSON.stringify(recipe, null, 2)}\n`);
  text('README.md', recipeReadme({ runId: c.run.id, method: c.config.method, dataset: c.dataset.name, withData: Boolean(o.withData), init: Boolean(o.initFromRun) }));
  if (o.withData) {
    const ch = c.dataset.channels;
    const pixels = readPixels(ws, c.dataset);
    const n = pixels.length / (size * size * ch);
    wrote(
      'data.npz',
      writeNpz(join(dir, 'data.npz'), [
        { name: 'pixels', dtype: '|u1', shape: [n, size, size, ch], data: pixels },
        { name: 'labels', dtype: '<i4', shape: [n], data: data.labels },
        { name: 'train_idx', dtype: '<i4', shape: [data.trainIdx.length], data: Int32Array.from(data.trainIdx) },
        { name: 'test_idx', dtype: '<i4', shape: [data.testIdx.length], data: Int32Array.from(data.testIdx) },
      ]),
    );
  }
  if (o.initFromRun) {
    const bytes = initWeights(ws, c);
    writeFileSync(join(dir, 'init.safetensors'), bytes);
    wrote('init.safetensors', bytes.length);
  }
  return { runId: c.run.id, dir, files };
}

/** The run's latest backbone weights under torchvision's names (ml/export/torchNames.ts). */
function initWeights(ws: Workspace, c: ReturnType<typeof runContext>): Uint8Array {
  const ckpt = latestCheckpoint(ws, c.run.id);
  if (!ckpt) throw new PretextError(`export recipe --init-from-run: run ${c.run.id} has no checkpoint yet (train it first)`, { field: 'initFromRun' });
  const file = join(ws.dir, ckpt.path);
  if (!existsSync(file)) throw new PretextError(`export recipe --init-from-run: run ${c.run.id}: its checkpoint file ${file} is missing`);
  const tensors = readCheckpoint(file).tensors;
  const net = buildBackbone(c.config, { size: c.dataset.imageSize, channels: c.dataset.channels });
  try {
    const out: [string, SafeTensor][] = torchvisionNames(net, c.config.backbone).map((n) => {
      const t = tensors.get(`net/backbone/${n.index}`);
      if (!t) throw new PretextError(`${file}: no tensor net/backbone/${n.index}`);
      return [n.name, { shape: torchShape(n), values: n.conv ? permuteKernel(t.values, n.shape, true) : t.values }];
    });
    return encodeSafetensors(out, { pretextRun: c.run.id, epoch: String(ckpt.epoch + 1) });
  } finally {
    net.dispose();
  }
}
