// Exports over the API (issue 11 defect 2): the page never names where a file is written. The
// Evaluate view starts the job without `out` (the file lands in the workspace), then the shell
// delivers it: a download in a browser, a copy via the main process's Save dialog in Electron.
import { describe, expect, it } from 'vitest';
import type { ApiClient, JobInfo, WrittenFile } from '../../src-main/api/contract';
import { Workbench } from '../../src-renderer/src/lib/state/workbench.svelte';
import type { Shell } from '../../src-renderer/src/lib/transport/shell';
import { EvaluateState } from '../../src-renderer/src/views/evaluate/evaluate.svelte';

const written: WrittenFile = { path: '/ws/runs/run-1/exports/report-1.html', bytes: 10 };
const done = (id: string): JobInfo => ({ id, kind: 'report', label: id, status: 'completed', done: 1, total: 1, unit: 'it', etaSeconds: 0, message: '', startedAt: 't', finishedAt: 't', error: null, result: written });

function setup(saved: string | null) {
  const requests: [string, unknown][] = [];
  const delivered: [WrittenFile, boolean | undefined, string | undefined][] = [];
  let wb: Workbench;
  const client: ApiClient = {
    request: (async (name: string, req: unknown) => {
      requests.push([name, req]);
      setTimeout(() => wb.jobs.upsert(done('job-1')), 0);
      return { jobId: 'job-1' };
    }) as ApiClient['request'],
    on: () => () => {},
  };
  const shell: Shell = {
    kind: 'ipc',
    pickImportPaths: async () => null,
    stageFiles: () => Promise.reject(new Error('no upload in this test')),
    deliver: async (file, open, name) => (delivered.push([file, open, name]), saved),
  };
  wb = new Workbench(client, shell);
  return { ev: new EvaluateState(wb), requests, delivered };
}

describe('export delivery', () => {
  it('asks for no out path and lists the copy where the user saved it', async () => {
    const { ev, requests, delivered } = setup('/home/me/report.html');
    await ev.report(['run-1']);
    expect(requests).toEqual([['report.create', { runIds: ['run-1'] }]]);
    expect(delivered).toEqual([[written, true, 'pretext-report.html']]);
    expect(ev.written.map((w) => w.file.path)).toEqual(['/home/me/report.html']);
  });

  it('keeps the workspace file listed when the Save dialog is cancelled', async () => {
    const { ev, requests } = setup(null);
    ev.runId = 'run-1';
    await ev.exportEmbeddings('csv');
    expect(requests).toEqual([['export.embeddings', { runId: 'run-1', format: 'csv', split: 'test' }]]);
    expect(ev.written.map((w) => w.file.path)).toEqual([written.path]);
  });
});
