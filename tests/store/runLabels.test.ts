import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import Database from 'better-sqlite3';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { resolveConfig } from '../../src-main/ml/train/config';
import { createRun, deleteRun, getRun, groupRuns, labelRun, listRuns, newGroupId, runDir } from '../../src-main/store/runs';
import { migrate, Workspace } from '../../src-main/store/workspace';
import { migrations } from '../../src-main/store/migrations';
import { makeTempDir } from '../helpers/tmp';
import { makeToyDataset } from '../helpers/toyDataset';

let tmp: ReturnType<typeof makeTempDir>;
let ws: Workspace;
let datasetId: string;

beforeAll(() => {
  tmp = makeTempDir();
  ws = Workspace.open(join(tmp.dir, 'ws'));
  datasetId = makeToyDataset(ws);
});
afterAll(() => {
  ws.close();
  tmp.cleanup();
});

const config = (seed = 0) => resolveConfig('byol', { epochs: 2, batch: 16, seed, params: { projOut: 8 } }, () => 'byol-cifar');

describe('runs: groups, sweep values, tags and notes', () => {
  it('stores the group and the sweep value a run was created with; a plain run has neither', () => {
    const g = newGroupId();
    expect(g).toMatch(/^grp-[0-9a-f]{8}$/);
    const a = createRun(ws, datasetId, 'byol', config(0), { groupId: g, sweep: { key: 'temperature', value: 0.2 } });
    const b = createRun(ws, datasetId, 'byol', config(1), { groupId: g, sweep: { key: 'temperature', value: 0.2 } });
    const plain = createRun(ws, datasetId, 'byol', config());
    expect(getRun(ws, a.id)).toMatchObject({ groupId: g, sweep: { key: 'temperature', value: 0.2 }, tags: [], notes: '' });
    expect(getRun(ws, plain.id)).toMatchObject({ groupId: null, sweep: null, tags: [], notes: '' });
    expect(groupRuns(ws, g).map((r) => r.id)).toEqual([a.id, b.id]);
  });

  it('replaces tags (deduplicated) and notes, and refuses a tag with a space or too long notes', () => {
    const run = createRun(ws, datasetId, 'byol', config());
    labelRun(ws, run.id, { tags: ['baseline', 'wide', 'baseline'] });
    labelRun(ws, run.id, { notes: 'lr too high?' });
    expect(getRun(ws, run.id)).toMatchObject({ tags: ['baseline', 'wide'], notes: 'lr too high?' });
    expect(() => labelRun(ws, run.id, { tags: ['two words'] })).toThrow(/tag 'two words'/);
    expect(() => labelRun(ws, run.id, { notes: 'x'.repeat(4001) })).toThrow(/at most 4000/);
    expect(getRun(ws, run.id)!.tags).toEqual(['baseline', 'wide']);
    labelRun(ws, run.id, { tags: [], notes: '' });
    expect(getRun(ws, run.id)).toMatchObject({ tags: [], notes: '' });
  });

  it('deletes a run with its files', () => {
    const run = createRun(ws, datasetId, 'byol', config());
    mkdirSync(runDir(ws, run.id), { recursive: true });
    writeFileSync(join(runDir(ws, run.id), 'checkpoint-e0001.bin'), 'x');
    expect(deleteRun(ws, run.id)).toBe(true);
    expect(getRun(ws, run.id)).toBeUndefined();
    expect(existsSync(runDir(ws, run.id))).toBe(false);
  });

  it('opens a workspace made before groups and tags: its runs read with no group, no tags, no notes', () => {
    const dir = join(tmp.dir, 'old');
    mkdirSync(dir, { recursive: true });
    const db = new Database(join(dir, 'pretext.db'));
    migrate(db, migrations.filter((m) => m.version <= 4));
    db.prepare(`INSERT INTO datasets (id, name, source, source_kind, fingerprint, image_size, channels, num_items, pixels_file, created_at) VALUES ('d', 'd', 's', 'folder', 'f', 8, 3, 0, 'p', 'now')`).run();
    db.prepare(`INSERT INTO runs (id, dataset_id, method, config, status, created_at) VALUES ('run-old', 'd', 'byol', ?, 'completed', 'now')`).run(JSON.stringify(config()));
    db.close();
    const old = Workspace.open(dir);
    try {
      expect(listRuns(old).map((r) => [r.id, r.groupId, r.sweep, r.tags, r.notes])).toEqual([['run-old', null, null, [], '']]);
      labelRun(old, 'run-old', { tags: ['kept'] });
      expect(getRun(old, 'run-old')!.tags).toEqual(['kept']);
    } finally {
      old.close();
    }
  });
});
