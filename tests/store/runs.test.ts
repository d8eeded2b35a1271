import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { resolveConfig } from '../../src-main/ml/train/config';
import Database from 'better-sqlite3';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createRun, deleteRun, getRun, groupRuns, labelRun, listRuns, newGroupId, parseRunConfig, runDir } from '../../src-main/store/runs';
import { migrations } from '../../src-main/store/migrations';
import { migrate, Workspace } from '../../src-main/store/workspace';
import { makeTempDir } from '../helpers/tmp';
import { makeToyDataset } from '../helpers/toyDataset';

let tmp: ReturnType<typeof makeTempDir>;
let ws: Workspace;

beforeAll(() => {
  tmp = makeTempDir();
  ws = Workspace.open(tmp.dir);
});
afterAll(() => {
  ws.close();
  tmp.cleanup();
});

const config = () => resolveConfig('byol', { epochs: 2, batch: 16, params: { projOut: 8 } }, () => 'byol-cifar');
const configSeed = (seed: number) => resolveConfig('byol', { epochs: 2, batch: 16, seed, params: { projOut: 8 } }, () => 'byol-cifar');

describe('runs: the stored config', () => {
  it('comes back from the store as the typed RunConfig it was created with', () => {
    const cfg = config();
    const id = createRun(ws, makeToyDataset(ws), 'byol', cfg).id;
    expect(getRun(ws, id)!.config).toEqual(cfg);
    expect(parseRunConfig(JSON.parse(JSON.stringify(cfg)))).toEqual(cfg);
    // Same keys in the same order: a printed config reads as it was written.
    expect(JSON.stringify(getRun(ws, id)!.config)).toBe(JSON.stringify(cfg));
  });

  it('is checked field by field, naming the field at fault', () => {
    const cfg = config() as unknown as Record<string, unknown>;
    expect(() => parseRunConfig(null)).toThrow(/run config: the config must be an object/);
    expect(() => parseRunConfig([])).toThrow(/must be an object/);
    expect(() => parseRunConfig({ ...cfg, epochs: '2' })).toThrow(expect.objectContaining({ field: 'config.epochs', message: 'run config: epochs must be a number' }));
    expect(() => parseRunConfig({ ...cfg, method: 3 })).toThrow(/method must be a string/);
    expect(() => parseRunConfig({ ...cfg, optimizer: 'adam' })).toThrow(/optimizer must be one of sgd, lars, adamw/);
    expect(() => parseRunConfig({ ...cfg, excludeBiasAndNorm: 1 })).toThrow(/excludeBiasAndNorm must be a boolean/);
    expect(() => parseRunConfig({ ...cfg, params: { projOut: [8] } })).toThrow(/params.projOut must be a number, string or boolean/);
    const { seed: _seed, ...noSeed } = cfg;
    expect(() => parseRunConfig(noSeed)).toThrow(/seed must be a number/);
  });
});

describe('runs: groups, sweep values, tags and notes', () => {
  let datasetId: string;
  beforeAll(() => {
    datasetId = makeToyDataset(ws, { seed: 7 });
  });

  it('stores the group and the sweep value a run was created with; a plain run has neither', () => {
    const g = newGroupId();
    expect(g).toMatch(/^grp-[0-9a-f]{8}$/);
    const a = createRun(ws, datasetId, 'byol', configSeed(0), { groupId: g, sweep: { key: 'temperature', value: 0.2 } });
    const b = createRun(ws, datasetId, 'byol', configSeed(1), { groupId: g, sweep: { key: 'temperature', value: 0.2 } });
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
    const oldTmp = makeTempDir();
    const dir = oldTmp.dir;
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
      oldTmp.cleanup();
    }
  });
});
