// A results folder as the exported train.py writes it (recipe.json, metrics.jsonl,
// backbone.safetensors with torchvision names), from a seeded Pretext backbone: for the import
// tests that need no PyTorch (tests/tasks/recipe/importErrors.test.ts, tests/api/recipeApi.test.ts).
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { presetForMethod } from '../../src-main/ml/augment';
import { buildBackbone } from '../../src-main/ml/backbones/registry';
import { encodeSafetensors, type SafeTensor } from '../../src-main/ml/export/safetensors';
import { permuteKernel, torchShape, torchvisionNames } from '../../src-main/ml/export/torchNames';
import { resolveConfig, type RunConfig } from '../../src-main/ml/train/config';

/** A small BYOL config of an 8 px dataset. */
export function resultsConfig(width: number): RunConfig {
  return resolveConfig('byol', { epochs: 2, batch: 16, seed: 5, width, params: { projHidden: 16, projOut: 8, predHidden: 16 } }, (b) => presetForMethod(b, 8));
}

/** Writes the folder (4 steps and one epoch, 2 processes on host node7); returns the backbone's tensors in checkpoint order. */
export function writeResults(dir: string, width = 0.25, mutate?: (t: [string, SafeTensor][]) => void): Float32Array[] {
  mkdirSync(dir, { recursive: true });
  const cfg = resultsConfig(width);
  writeFileSync(join(dir, 'recipe.json'), JSON.stringify({ config: cfg, views: [], data: { size: 8, channels: 3, numClasses: 4, stats: { mean: [0, 0, 0], std: [1, 1, 1] } } }));
  const lines = [0, 1, 2, 3].map((s) => JSON.stringify({ step: s, epoch: 0, loss: 4 - s * 0.1, lr: 0.1 }));
  lines.push(JSON.stringify({ step: 3, epoch: 0, knn_top1: 0.5, seconds: 2.5, processes: 2, device: 'cpu' }));
  writeFileSync(join(dir, 'metrics.jsonl'), `${lines.join('\n')}\n`);
  const net = buildBackbone(cfg, { size: 8, channels: 3 });
  const values = net.weights.map((w) => w.read().dataSync() as Float32Array);
  const tensors: [string, SafeTensor][] = torchvisionNames(net, cfg.backbone).map((n) => [
    n.name,
    { shape: torchShape(n), values: n.conv ? permuteKernel(values[n.index]!, n.shape, true) : values[n.index]!.slice() },
  ]);
  net.dispose();
  mutate?.(tensors);
  writeFileSync(join(dir, 'backbone.safetensors'), encodeSafetensors(tensors, { host: 'node7' }));
  return values;
}
