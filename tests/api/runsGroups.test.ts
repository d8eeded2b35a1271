/**
 * Issue 16, seeds and grouping, sweeps, run management over the API: runs.create with `seeds`
 * trains one run per method × seed in one group; a sweep makes one run per value, each stored
 * with the value it took; the request is refused whole (naming the field) when any run of it
 * cannot train; runs.label stores tags and notes; runs.delete removes the run with its files.
 */
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { JobInfo, TrainRequest } from '../../src-main/api/contract';
import { validateRequest } from '../../src-main/api/schema/validate';
import { createService, type Service } from '../../src-main/api/service';
import { getRun, listRuns } from '../../src-main/store/runs';
import { Workspace } from '../../src-main/store/workspace';
import { waitFor } from '../helpers/events';
import { makeTempDir } from '../helpers/tmp';
import { makeToyDataset } from '../helpers/toyDataset';

let tmp: ReturnType<typeof makeTempDir>;
let ws: Workspace;
let service: Service;

beforeEach(() => {
  tmp = makeTempDir();
  ws = Workspace.open(join(tmp.dir, 'ws'));
  service = createService(ws, { backend: 'cpu' });
});

afterEach(async () => {
  await service.close();
  ws.close();
  tmp.cleanup();
});

const stored = () => ({ rows: listRuns(ws).length, folders: existsSync(ws.runsDir) ? readdirSync(ws.runsDir).length : 0 });
const finished = (jobId: string) => waitFor(service, 'job.finished', (j: JobInfo) => j.id === jobId);

describe('runs.create: seeds and sweeps', () => {
  it('trains one run per seed in one group, and tags, notes and deletes a run', { timeout: 120_000 }, async () => {
    const datasetId = makeToyDataset(ws, { size: 8, perClassTrain: 4, perClassTest: 2 });
    const { runIds, jobIds, groupId } = await service.handle('runs.create', { datasetId, methods: ['simclr'], epochs: 1, batch: 8, width: 0.25, seeds: [0, 1, 2] });
    expect(runIds).toHaveLength(3);
    const done = await Promise.all(jobIds.map(finished));
    expect(done.map((j) => j.status)).toEqual(['completed', 'completed', 'completed']);
    const runs = await Promise.all(runIds.map((id) => service.handle('runs.get', { id })));
    expect(runs.map((r) => [r.method, r.config['seed'], r.groupId, r.sweep])).toEqual([
      ['simclr', 0, groupId, null],
      ['simclr', 1, groupId, null],
      ['simclr', 2, groupId, null],
    ]);
    // Same config but the seed: the seeds really differ (their losses are not the same numbers).
    expect(new Set(runs.map((r) => r.latest['loss'])).size).toBe(3);

    const labelled = await service.handle('runs.label', { id: runIds[0]!, tags: ['seeded', 'tiny'], notes: 'first seed' });
    expect(labelled).toMatchObject({ tags: ['seeded', 'tiny'], notes: 'first seed' });
    expect((await service.handle('runs.list', undefined)).find((r) => r.id === runIds[0])).toMatchObject({ tags: ['seeded', 'tiny'], notes: 'first seed' });
    await expect(service.handle('runs.label', { id: runIds[0]!, tags: ['two words'] })).rejects.toMatchObject({ code: 'bad-request', field: 'tags.0' });
    await expect(service.handle('runs.label', { id: 'run-nope', notes: '' })).rejects.toMatchObject({ code: 'not-found' });

    expect(existsSync(join(ws.runsDir, runIds[2]!))).toBe(true);
    expect(await service.handle('runs.delete', { id: runIds[2]! })).toEqual({ deleted: true });
    expect(getRun(ws, runIds[2]!)).toBeUndefined();
    expect(existsSync(join(ws.runsDir, runIds[2]!))).toBe(false);
  });

  it('makes one run per method and sweep value, each stored with its value and the option set', { timeout: 120_000 }, async () => {
    const datasetId = makeToyDataset(ws, { size: 8, perClassTrain: 4, perClassTest: 2 });
    const { runIds, jobIds, groupId } = await service.handle('runs.create', {
      datasetId, methods: ['simclr'], epochs: 1, batch: 8, width: 0.25, sweep: { key: 'temperature', values: [0.1, 0.5] },
    });
    for (const id of jobIds) await service.handle('jobs.cancel', { id });
    await Promise.all(jobIds.map(finished));
    const rows = runIds.map((id) => getRun(ws, id)!);
    expect(rows.map((r) => [r.groupId, r.sweep, r.config.params['temperature']])).toEqual([
      [groupId, { key: 'temperature', value: 0.1 }, 0.1],
      [groupId, { key: 'temperature', value: 0.5 }, 0.5],
    ]);
  });

  it('refuses a seeds or sweep request that cannot train as a whole, naming the field, storing nothing', async () => {
    const datasetId = makeToyDataset(ws);
    const base: TrainRequest = { datasetId, methods: ['simclr', 'byol'], epochs: 1, batch: 16 };
    const cases: [TrainRequest, string, RegExp][] = [
      [{ ...base, seeds: [0, 1], seed: 3 }, 'seeds', /seeds \(repeats\) or seed, not both/],
      [{ ...base, sweep: { key: 'temperature', values: [0.1, 0.2] } }, 'sweep', /byol has no option 'temperature'/],
      [{ ...base, sweep: { key: 'tempreature', values: [0.1] }, methods: ['simclr'] }, 'sweep', /did you mean 'temperature'/],
      [{ ...base, sweep: { key: 'batch', values: [16, 1000] } }, 'sweep', /sweep batch=1000: .*fewer than one batch of 1000/],
      [{ ...base, sweep: { key: 'seed', values: [1, 2] } }, 'sweep', /not a sweep/],
      [{ ...base, seeds: [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15], sweep: { key: 'lr', values: [0.1, 0.2, 0.3] } }, 'sweep', /96 runs, more than 64/],
    ];
    for (const [req, field, message] of cases) {
      await expect(service.handle('runs.create', req), JSON.stringify(req)).rejects.toMatchObject({ code: 'bad-request', field, message: expect.stringMatching(message) });
    }
    expect(stored()).toEqual({ rows: 0, folders: 0 });
  });

  it('checks seeds and sweep against their ranges where the request enters', () => {
    const field = (payload: unknown) => {
      try {
        validateRequest('runs.create', payload);
      } catch (err) {
        return (err as { field?: string }).field;
      }
      return 'accepted';
    };
    const base = { datasetId: 'd', methods: ['simclr'] };
    expect(field({ ...base, seeds: [0, 1, 2] })).toBe('accepted');
    expect(field({ ...base, seeds: Array.from({ length: 17 }, (_, i) => i) })).toBe('seeds');
    expect(field({ ...base, seeds: [0, 0] })).toBe('seeds');
    expect(field({ ...base, seeds: [-1] })).toMatch(/^seeds/);
    expect(field({ ...base, seeds: [] })).toBe('seeds');
    expect(field({ ...base, sweep: { key: 'lr', values: [] } })).toMatch(/^sweep/);
    expect(field({ ...base, sweep: { key: '__proto__', values: [1] } })).toMatch(/^sweep/);
    const label = (payload: unknown) => {
      try {
        validateRequest('runs.label', payload);
      } catch (err) {
        return (err as { field?: string }).field;
      }
      return 'accepted';
    };
    expect(label({ id: 'r', tags: [], notes: '' })).toBe('accepted');
    expect(label({ id: 'r', tags: Array.from({ length: 33 }, (_, i) => `t${i}`) })).toBe('tags');
    expect(label({ id: 'r', notes: 'x'.repeat(4001) })).toBe('notes');
  });
});
