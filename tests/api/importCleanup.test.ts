// Staged files (datasets.stage in Electron, an upload in a browser) leave the workspace's tmp
// when their import ends, whether it completed, failed or was cancelled: a long `pretext
// serve` session must not pile up every cancelled upload until the next restart.
import { existsSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, expect, it } from 'vitest';
import type { JobInfo } from '../../src-main/api/contract';
import type { Service } from '../../src-main/api/service';
import { Workspace } from '../../src-main/store/workspace';
import { solid } from '../data/helpers';
import { waitFor } from '../helpers/events';
import { closeServiceTest, openServiceTest, type ServiceTest } from '../helpers/service';

let tmp: ServiceTest['tmp'];
let ws: Workspace;
let service: Service;

// Imports read the test's own folders (as the desktop app or a --data-root would allow).
beforeEach(() => void ({ tmp, ws, service } = openServiceTest((dir) => ({ dataRoots: [dir] }))));
afterEach(() => closeServiceTest({ tmp, ws, service }));

const finished = (jobId: string) => waitFor(service, 'job.finished', (j: JobInfo) => j.id === jobId, 30_000);

async function stage(files: Record<string, Buffer>): Promise<string> {
  const src = join(tmp.dir, 'picked');
  mkdirSync(src, { recursive: true });
  const paths = Object.entries(files).map(([name, data]) => {
    writeFileSync(join(src, name), data);
    return join(src, name);
  });
  const { path } = await service.handle('datasets.stage', { paths });
  expect(readdirSync(ws.tmpDir)).toHaveLength(1);
  return path;
}

it('removes the staged folder after a failed import, and keeps the source of an unstaged one', async () => {
  const staged = await stage({ 'notes.txt': Buffer.from('not an image'), 'more.txt': Buffer.from('nor this') });
  const job = await finished((await service.handle('datasets.import', { path: staged })).jobId);
  expect(job.status).toBe('failed');
  expect(job.error).toMatch(/holds no image/);
  expect(existsSync(staged)).toBe(false);
  expect(readdirSync(ws.tmpDir)).toEqual([]);
  // A folder of the user's own (not staged) is never touched, whatever the outcome.
  const own = join(tmp.dir, 'own');
  mkdirSync(own);
  writeFileSync(join(own, 'x.txt'), 'text');
  expect((await finished((await service.handle('datasets.import', { path: own })).jobId)).status).toBe('failed');
  expect(existsSync(join(own, 'x.txt'))).toBe(true);
});

it('removes the staged folder after a completed import', async () => {
  const staged = await stage({ 'a.png': await solid('png', [200, 10, 10], 12, 12), 'b.png': await solid('png', [10, 10, 200], 12, 12) });
  const job = await finished((await service.handle('datasets.import', { path: staged, size: 8 })).jobId);
  expect(job.status).toBe('completed');
  expect(readdirSync(ws.tmpDir)).toEqual([]);
  expect((await service.handle('datasets.list', undefined))[0]!.numItems).toBe(2);
});
