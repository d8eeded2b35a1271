import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { ApiEvents, EngineStatus, EventName } from '../../src-main/api/contract';
import { EngineHost, forkEngine } from '../../src-main/engine/host';
import { getRun } from '../../src-main/store/runs';
import { Workspace } from '../../src-main/store/workspace';
import { makeTempDir } from '../helpers/tmp';
import { makeToyDataset } from '../helpers/toyDataset';

let tmp: ReturnType<typeof makeTempDir>;
let host: EngineHost;
let wsDir: string;

beforeEach(() => {
  tmp = makeTempDir();
  wsDir = join(tmp.dir, 'ws');
  host = new EngineHost({ spawn: forkEngine(), workspaceDir: wsDir, backend: 'cpu' });
});

afterEach(async () => {
  await host.stop();
  tmp.cleanup();
});

function next<E extends EventName>(event: E, pred: (p: ApiEvents[E]) => boolean, ms = 90_000): Promise<ApiEvents[E]> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no ${event} within ${ms} ms`)), ms);
    const off = host.onEvents((batch) => {
      for (const e of batch) {
        if (e.event === event && pred(e.payload as ApiEvents[E])) {
          clearTimeout(timer);
          off();
          resolve(e.payload as ApiEvents[E]);
          return;
        }
      }
    });
  });
}

describe('EngineHost', () => {
  it('restarts a killed engine, reports engine.status and keeps answering', async () => {
    await host.start();
    const info = await host.request('app.info', undefined);
    expect(info.engine.state).toBe('ready');
    expect(info.workspaceDir).toBe(wsDir);
    const firstPid = info.engine.pid!;
    const states: EngineStatus['state'][] = [];
    host.onEvents((b) => b.forEach((e) => e.event === 'engine.status' && states.push((e.payload as EngineStatus).state)));
    const ready = next('engine.status', (s) => s.state === 'ready');
    process.kill(firstPid, 'SIGKILL');
    const after = await ready;
    expect(states).toEqual(['restarting', 'ready']);
    expect(after.pid).not.toBe(firstPid);
    expect(await host.request('datasets.list', undefined)).toEqual([]);
  });

  it('a run training when the engine dies resumes from its checkpoint in the new engine and completes', async () => {
    const ws = Workspace.open(wsDir);
    const datasetId = makeToyDataset(ws, { size: 8, perClassTrain: 4, perClassTest: 2 });
    await host.start();
    const { runIds } = await host.request('runs.create', { datasetId, methods: ['simclr'], epochs: 3, batch: 8, width: 0.25 });
    const runId = runIds[0]!;
    await next('run.status', (s) => s.runId === runId && s.epochsDone >= 1);
    const pid = host.engineStatus.pid!;
    const resumed = next('job.progress', (j) => j.runId === runId && j.kind === 'train' && j.status === 'running');
    process.kill(pid, 'SIGKILL');
    await resumed;
    await next('run.status', (s) => s.runId === runId && s.status === 'completed');
    const run = getRun(ws, runId)!;
    expect(run.status).toBe('completed');
    expect(run.epochsDone).toBe(3);
    ws.close();
  }, 240_000);
});
