import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { silentProgress } from '../../src-main/core/progress';
import { WorkProcess } from '../../src-main/engine/workRunner';
import { Workspace } from '../../src-main/store/workspace';
import { makeTempDir } from '../helpers/tmp';

let tmp: ReturnType<typeof makeTempDir>;
let ws: Workspace;
let work: WorkProcess;
const ctl = () => ({ signal: new AbortController().signal, progress: silentProgress });

beforeEach(() => {
  tmp = makeTempDir();
  ws = Workspace.open(join(tmp.dir, 'ws'));
  work = new WorkProcess({ workspaceDir: ws.dir, backend: 'cpu' });
});

afterEach(() => {
  work.close();
  ws.close();
  tmp.cleanup();
});

describe('WorkProcess', () => {
  it('returns module errors with their message, survives a killed process and starts a fresh one', async () => {
    await expect(work.run('knn', { runId: 'run-missing' }, ctl())).rejects.toMatchObject({ code: 'not-found', message: expect.stringContaining('run-missing') });
    const first = work.pid!;
    // The same warm process answers the next job.
    await expect(work.run('report', { runIds: ['run-missing'] }, ctl())).rejects.toThrow(/run-missing/);
    expect(work.pid).toBe(first);
    // A job sent to a process that has just been killed fails with a message saying so.
    process.kill(first, 'SIGKILL');
    await expect(work.run('knn', { runId: 'run-missing' }, ctl())).rejects.toThrow(/work process died/);
    await expect(work.run('knn', { runId: 'run-missing' }, ctl())).rejects.toThrow(/run-missing/);
    expect(work.pid).not.toBe(first);
  }, 120_000);

  it('a job whose signal is already aborted is cancelled without starting the process', async () => {
    const c = new AbortController();
    c.abort();
    await expect(work.run('knn', { runId: 'run-missing' }, { signal: c.signal, progress: silentProgress })).rejects.toThrow('cancelled');
    expect(work.pid).toBeUndefined();
  });
});
