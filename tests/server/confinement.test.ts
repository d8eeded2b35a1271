// Issue 11, defects 1 and 2: over the API the engine reads server-side paths only from uploads
// and the operator's data roots, and writes outputs only inside the workspace's exports
// folders; the desktop app (dataRoots 'any') reads what the user picked.
import { existsSync, mkdirSync, readdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { ApiError, JobInfo } from '../../src-main/api/contract';
import { checkOutput, checkReadable } from '../../src-main/api/pathAccess';
import { createService, type Service, type ServiceOptions } from '../../src-main/api/service';
import { startServer, type RunningServer } from '../../src-main/server/server';
import { presetForMethod } from '../../src-main/ml/augment';
import { resolveConfig } from '../../src-main/ml/train/config';
import { createRun } from '../../src-main/store/runs';
import { Workspace } from '../../src-main/store/workspace';
import { waitFor } from '../helpers/events';
import { makeTempDir } from '../helpers/tmp';
import { makeToyDataset } from '../helpers/toyDataset';

let tmp: ReturnType<typeof makeTempDir>;
let ws: Workspace;
let service: Service | null = null;
let server: RunningServer | null = null;
let secret: string;

beforeEach(() => {
  tmp = makeTempDir();
  ws = Workspace.open(join(tmp.dir, 'ws'));
  secret = join(tmp.dir, 'secret.txt');
  writeFileSync(secret, 'top secret');
});

afterEach(async () => {
  await server?.close();
  await service?.close();
  server = null;
  service = null;
  ws.close();
  tmp.cleanup();
});

/** The real HTTP server on a service with these options; returns a POST helper. */
async function serve(opts: ServiceOptions = {}) {
  const s = createService(ws, { backend: 'cpu', ...opts });
  service = s;
  const rendererDir = join(tmp.dir, 'renderer');
  mkdirSync(rendererDir, { recursive: true });
  server = await startServer({ api: { request: (name, req) => s.handle(name, req as never), onEvents: (l) => s.onEvents(l) }, workspaceDir: ws.dir, rendererDir, port: 0 });
  const base = server.url.replace(/\/$/, '');
  return async (name: string, body: unknown): Promise<{ status: number; json: { error?: ApiError } & Record<string, unknown> }> => {
    const res = await fetch(`${base}/api/request/${name}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
    return { status: res.status, json: (await res.json()) as { error?: ApiError } & Record<string, unknown> };
  };
}

const tmpEntries = () => readdirSync(ws.tmpDir);

describe('defect 1: server-side paths to read', () => {
  it('refuses to stage or import a file outside the uploads when no data root is named', async () => {
    const post = await serve();
    const staged = await post('datasets.stage', { paths: [secret] });
    expect(staged.status).toBe(400);
    expect(staged.json.error!.message).toContain(secret);
    expect(staged.json.error!.message).toContain('--data-root');
    expect(staged.json.error!.field).toBe('paths');
    expect(tmpEntries()).toEqual([]);
    const imported = await post('datasets.import', { path: tmp.dir });
    expect(imported.status).toBe(400);
    expect(imported.json.error!.message).toContain('upload');
    expect(imported.json.error!.field).toBe('path');
  });

  it('reads under a data root only, after resolving symlinks and ..', async () => {
    const root = join(tmp.dir, 'data');
    mkdirSync(join(root, 'set'), { recursive: true });
    writeFileSync(join(root, 'set', 'a.png'), 'png');
    symlinkSync(secret, join(root, 'link.txt'));
    const post = await serve({ dataRoots: [root] });
    const ok = await post('datasets.stage', { paths: [join(root, 'set', 'a.png')] });
    expect(ok.status).toBe(200);
    expect(readFileSync(join(ok.json['path'] as string, 'a.png'), 'utf8')).toBe('png');
    for (const p of [join(root, 'link.txt'), join(root, 'set', '..', '..', 'secret.txt'), secret]) {
      const r = await post('datasets.stage', { paths: [p] });
      expect(r.status, p).toBe(400);
      expect(r.json.error!.message, p).toContain(root);
    }
    expect((await post('datasets.import', { path: join(root, '..') })).status).toBe(400);
    // root/dir/../x is opened as checked (root/x), not beside the symlink's target.
    mkdirSync(join(tmp.dir, 'outside', 'sub'), { recursive: true });
    writeFileSync(join(tmp.dir, 'outside', 'other.txt'), 'outside');
    symlinkSync(join(tmp.dir, 'outside', 'sub'), join(root, 'dir'));
    const dotdot = await post('datasets.stage', { paths: [`${root}/dir/../other.txt`] });
    expect(dotdot.status).toBe(400);
    expect(dotdot.json.error!.message).toContain('no such file');
  });

  it('lets the desktop app (dataRoots any) stage what the user picked', async () => {
    const post = await serve({ dataRoots: 'any' });
    const r = await post('datasets.stage', { paths: [secret] });
    expect(r.status).toBe(200);
  });

  it('checks read paths: uploads always, roots, nothing else', () => {
    const upload = join(ws.tmpDir, '123-upload-0a1b2c3d');
    mkdirSync(join(upload, 'pets'), { recursive: true });
    const o = { tmpDir: ws.tmpDir, dataRoots: [] };
    expect(checkReadable(join(upload, 'pets'), 'path', o)).toBe(join(upload, 'pets'));
    expect(() => checkReadable(join(ws.tmpDir, '123-import-0a1b2c3d'), 'path', o)).toThrow(/not allowed/);
    expect(() => checkReadable(join(upload, '..', '..', '..', 'secret.txt'), 'path', o)).toThrow(/not allowed/);
    expect(() => checkReadable('', 'path', o)).toThrow(/path: a path is required/);
    expect(checkReadable(secret, 'path', { tmpDir: ws.tmpDir, dataRoots: [tmp.dir] })).toBe(secret);
  });
});

describe('defect 2: outputs of API requests', () => {
  it('refuses an out outside the workspace exports folders and writes nothing there', async () => {
    const post = await serve();
    const datasetId = makeToyDataset(ws, { size: 8, perClassTrain: 2, perClassTest: 1 });
    const runId = createRun(ws, datasetId, 'simclr', resolveConfig('simclr', { epochs: 1 }, (b) => presetForMethod(b, 8))).id;
    const outside = join(tmp.dir, 'evil', 'report.html');
    const cases: [string, { runIds?: string[]; runId?: string; format?: string; out: string }][] = [
      ['report.create', { runIds: [runId], out: outside }],
      ['report.create', { runIds: [runId], out: '../../evil.html' }],
      ['report.create', { runIds: [runId], out: join(ws.dir, 'pretext.db') }],
      ['export.embeddings', { runId, format: 'csv', out: outside }],
      ['export.encoder', { runId, format: 'onnx', out: outside }],
    ];
    for (const [name, body] of cases) {
      const r = await post(name, body);
      expect(r.status, `${name} ${body.out}`).toBe(400);
      expect(r.json.error!.field).toBe('out');
      expect(r.json.error!.message).toContain('exports');
      // It names the request's out, and no other path of the server.
      expect(r.json.error!.message.replace(body.out, '')).not.toContain(tmp.dir);
    }
    await new Promise((r) => setTimeout(r, 200));
    expect(existsSync(join(tmp.dir, 'evil'))).toBe(false);
    expect(existsSync(join(tmp.dir, 'evil.html'))).toBe(false);
  });

  it('places a relative out under the workspace exports folder', async () => {
    const post = await serve();
    const datasetId = makeToyDataset(ws, { size: 8, perClassTrain: 2, perClassTest: 1 });
    const runId = createRun(ws, datasetId, 'simclr', resolveConfig('simclr', { epochs: 1 }, (b) => presetForMethod(b, 8))).id;
    const done = waitFor(service!, 'job.finished', (j: JobInfo) => j.kind === 'report');
    const r = await post('report.create', { runIds: [runId], out: 'mine/report.html' });
    expect(r.status).toBe(200);
    const job = await done;
    expect(job.error).toBeNull();
    expect((job.result as { path: string }).path).toBe(join(ws.dir, 'exports', 'mine', 'report.html'));
    expect(readFileSync(join(ws.dir, 'exports', 'mine', 'report.html'), 'utf8')).toContain('<html');
  }, 60_000);

  it('checks out: exports folders only, symlinks resolved', () => {
    mkdirSync(join(ws.dir, 'exports'), { recursive: true });
    mkdirSync(join(ws.dir, 'runs', 'run-x'), { recursive: true });
    symlinkSync(tmp.dir, join(ws.dir, 'exports', 'escape'));
    expect(checkOutput(undefined, ws.dir)).toBeUndefined();
    expect(checkOutput('a.csv', ws.dir)).toBe(join(ws.dir, 'exports', 'a.csv'));
    expect(checkOutput('.', ws.dir)).toBe(join(ws.dir, 'exports'));
    expect(checkOutput(join(ws.dir, 'runs', 'run-x', 'exports', 'e.npy'), ws.dir)).toBe(join(ws.dir, 'runs', 'run-x', 'exports', 'e.npy'));
    for (const bad of ['escape/x.csv', '../pretext.db', join(ws.dir, 'runs', 'run-x', 'e.npy'), join(ws.dir, 'tmp', 'exports', 'x'), join(ws.dir, 'runs', 'run-nope', 'exports', 'x.csv'), '/etc/passwd', 42]) {
      expect(() => checkOutput(bad, ws.dir), String(bad)).toThrow(/out/);
    }
  });
});
