// What the evaluation tests share: the test backend, a temp workspace with the toy dataset, tiny
// runs to train in it, and seeded test numbers.
import { presetForMethod } from '../../src-main/ml/augment';
import { useBackend } from '../../src-main/ml/backend';
import type { Params } from '../../src-main/ml/methods';
import { resolveConfig } from '../../src-main/ml/train/config';
import { createRun } from '../../src-main/store/runs';
import { Workspace } from '../../src-main/store/workspace';
import { TEST_BACKEND } from './testData';
import { makeTempDir } from './tmp';
import { makeToyDataset } from './toyDataset';

export { TEST_BACKEND };

/** Heads small enough for a test. */
const TINY_PARAMS: Record<string, Params> = {
  simclr: { projHidden: 16, projOut: 8 },
  byol: { projHidden: 16, projOut: 8, predHidden: 16 },
};

export interface ToyWorkspace {
  ws: Workspace;
  datasetId: string;
  close(): void;
}

/** A fresh workspace holding the toy dataset, on the test backend. */
export async function toyWorkspace(): Promise<ToyWorkspace> {
  await useBackend(TEST_BACKEND);
  const tmp = makeTempDir();
  const ws = Workspace.open(tmp.dir);
  return {
    ws,
    datasetId: makeToyDataset(ws),
    close: () => {
      ws.close();
      tmp.cleanup();
    },
  };
}

/** Records a tiny run (width 0.25, batch 16, 8-px views) of `method`; returns its id. */
export function tinyRun(t: ToyWorkspace, method: string, epochs: number, seed: number): string {
  const cfg = resolveConfig(method, { epochs, batch: 16, seed, width: 0.25, params: TINY_PARAMS[method] ?? {}, lr: 0.05 }, (b) => presetForMethod(b, 8));
  return createRun(t.ws, t.datasetId, method, cfg).id;
}

/** Seeded numbers in [−0.5, 0.5). */
export function uniform(seed: number): () => number {
  let s = seed >>> 0;
  return () => ((s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 2 ** 32 - 0.5);
}
