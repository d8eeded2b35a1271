// The "Run on a cluster…" zip task (tasks/recipe/zip.ts): its progress, a re-export replacing
// the zip of the same name, and a cancel that leaves neither a zip nor its temporary folder.
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ProgressSink } from '../../../src-main/core/progress';
import { presetForMethod } from '../../../src-main/ml/augment';
import { resolveConfig } from '../../../src-main/ml/train/config';
import { createRun } from '../../../src-main/store/runs';
import { Workspace } from '../../../src-main/store/workspace';
import { exportRecipeZip } from '../../../src-main/tasks/recipe/zip';
import { makeTempDir } from '../../helpers/tmp';
import { makeToyDataset } from '../../helpers/toyDataset';

let tmp: ReturnType<typeof makeTempDir>;
let ws: Workspace;
let runId: string;

beforeAll(() => {
  tmp = makeTempDir('pretext-recipe-zip-');
  ws = Workspace.open(join(tmp.dir, 'ws'));
  const datasetId = makeToyDataset(ws, { channels: 3 });
  const cfg = resolveConfig('vicreg', { epochs: 1, batch: 16, seed: 2, width: 0.25, params: { projHidden: 16, projOut: 8 } }, (b) => presetForMethod(b, 8));
  runId = createRun(ws, datasetId, 'vicreg', cfg).id;
});
afterAll(() => {
  ws?.close();
  tmp?.cleanup();
});

describe('exportRecipeZip', () => {
  it('reports its steps and replaces an earlier zip of the same name', async () => {
    const calls: string[] = [];
    const progress: ProgressSink = {
      start: (label, total, unit) => calls.push(`start ${label} ${total} ${unit}`),
      update: (done, extra) => calls.push(`update ${done} ${extra ?? ''}`),
      finish: () => calls.push('finish'),
      log: () => {},
    };
    const first = await exportRecipeZip(ws, runId, {}, { progress });
    expect(calls).toEqual([`start recipe ${runId} 3 steps`, 'update 1 8 files', 'update 2 zipped', 'finish']);
    expect(first.path).toBe(join(ws.dir, 'runs', runId, 'exports', `${runId}-recipe.zip`));
    const again = await exportRecipeZip(ws, runId, {});
    expect(again.path).toBe(first.path);
    expect(statSync(again.path).size).toBe(again.bytes);
    expect(readdirSync(join(ws.dir, 'runs', runId, 'exports'))).toEqual([`${runId}-recipe.zip`]);
    expect(readdirSync(ws.tmpDir)).toEqual([]);
  });

  it('cancelled: a CancelledError, no zip, no temporary folder left', async () => {
    const ctl = new AbortController();
    ctl.abort();
    await expect(exportRecipeZip(ws, runId, { withData: true }, { signal: ctl.signal })).rejects.toMatchObject({ code: 'cancelled' });
    expect(existsSync(join(ws.dir, 'runs', runId, 'exports', `${runId}-recipe-data.zip`))).toBe(false);
    expect(readdirSync(ws.tmpDir)).toEqual([]);
    // Cancelled once the folder is written: the zipping stops, and the folder goes.
    const later = new AbortController();
    const progress: ProgressSink = { start: () => {}, update: (done) => done === 1 && later.abort(), finish: () => {}, log: () => {} };
    await expect(exportRecipeZip(ws, runId, { withData: true }, { signal: later.signal, progress })).rejects.toMatchObject({ code: 'cancelled' });
    expect(later.signal.aborted).toBe(true);
    expect(existsSync(join(ws.dir, 'runs', runId, 'exports', `${runId}-recipe-data.zip`))).toBe(false);
    expect(readdirSync(ws.tmpDir)).toEqual([]);
  });
});
