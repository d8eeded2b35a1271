import { existsSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import type { EventBatch } from '../../src-main/api/bridge';
import type { JobInfo } from '../../src-main/api/contract';
import { createService, type Service } from '../../src-main/api/service';
import { encodeUploadHeader } from '../../src-main/api/upload';
import { CSP, generateToken, isLoopback, TOKEN_HEADER, tokenMatches } from '../../src-main/server/security';
import { startServer, withDownloadUrl, type ApiBackend, type RunningServer } from '../../src-main/server/server';
import { Workspace } from '../../src-main/store/workspace';
import { solid } from '../data/helpers';
import { makeTempDir } from '../helpers/tmp';

let tmp: ReturnType<typeof makeTempDir>;
let ws: Workspace;
let service: Service;
let rendererDir: string;
const servers: RunningServer[] = [];

const backend = (s: Service): ApiBackend => ({ request: (name, req) => s.handle(name, req as never), onEvents: (l) => s.onEvents(l) });

beforeEach(() => {
  tmp = makeTempDir();
  ws = Workspace.open(join(tmp.dir, 'ws'));
  service = createService(ws, { backend: 'cpu' });
  rendererDir = join(tmp.dir, 'renderer');
  mkdirSync(join(rendererDir, 'assets'), { recursive: true });
  writeFileSync(join(rendererDir, 'index.html'), '<!doctype html><title>t</title><script type="module" src="/assets/a.js"></script>');
  writeFileSync(join(rendererDir, 'assets', 'a.js'), 'export {};');
});

afterEach(async () => {
  for (const s of servers.splice(0)) await s.close();
  await service.close();
  ws.close();
  tmp.cleanup();
});

async function serve(opts: { host?: string; token?: string } = {}): Promise<{ base: string; server: RunningServer }> {
  const server = await startServer({ api: backend(service), workspaceDir: ws.dir, rendererDir, port: 0, ...opts });
  servers.push(server);
  const port = new URL(server.url).port;
  return { base: `http://127.0.0.1:${port}`, server };
}

function upload(base: string, files: { path: string; data: Buffer }[], headers: Record<string, string> = {}) {
  const header = Buffer.from(encodeUploadHeader({ files: files.map((f) => ({ path: f.path, size: f.data.length })) }));
  return fetch(`${base}/api/upload`, { method: 'POST', headers, body: Buffer.concat([header, ...files.map((f) => f.data)]) });
}

describe('pretext serve: headers and static files', () => {
  it('serves pages and assets with the strict CSP and nosniff; unknown paths get index.html, traversal does not escape', async () => {
    const { base } = await serve();
    for (const path of ['/', '/assets/a.js', '/runs/123']) {
      const res = await fetch(`${base}${path}`);
      expect(res.status).toBe(200);
      expect(res.headers.get('content-security-policy')).toBe(CSP);
      expect(res.headers.get('x-content-type-options')).toBe('nosniff');
      expect(res.headers.get('access-control-allow-origin')).toBeNull();
    }
    expect(CSP).toContain("script-src 'self'");
    expect(CSP).not.toContain('unsafe-eval');
    expect((await fetch(`${base}/assets/a.js`)).headers.get('content-type')).toMatch(/javascript/);
    const escaped = await fetch(`${base}/..%2f..%2fws%2fpretext.db`);
    expect(await escaped.text()).toContain('<title>t</title>');
  });

  it('refuses cross-origin API calls and foreign Host names on a loopback bind', async () => {
    const { base } = await serve();
    const cross = await fetch(`${base}/api/request/datasets.list`, { method: 'POST', headers: { origin: 'http://evil.example' } });
    expect(cross.status).toBe(403);
    const ok = await fetch(`${base}/api/request/datasets.list`, { method: 'POST' });
    expect(ok.status).toBe(200);
    expect(await ok.json()).toEqual([]);
  });
});

describe('pretext serve: token', () => {
  it('requires a token on a non-loopback bind', async () => {
    await expect(startServer({ api: backend(service), workspaceDir: ws.dir, rendererDir, host: '0.0.0.0', port: 0 })).rejects.toThrow(/token is required/);
    expect(isLoopback('127.0.0.1')).toBe(true);
    expect(isLoopback('::1')).toBe(true);
    expect(isLoopback('localhost')).toBe(true);
    expect(isLoopback('0.0.0.0')).toBe(false);
    expect(isLoopback('192.168.1.4')).toBe(false);
  });

  it('answers 401 without or with a wrong token, and works with it (header, query, WebSocket)', async () => {
    const token = generateToken();
    const { base, server } = await serve({ host: '0.0.0.0', token });
    expect(server.startUrl).toContain(`?token=${token}`);
    expect((await fetch(`${base}/api/request/datasets.list`, { method: 'POST' })).status).toBe(401);
    expect((await fetch(`${base}/api/request/datasets.list`, { method: 'POST', headers: { [TOKEN_HEADER]: `${token}x` } })).status).toBe(401);
    expect((await fetch(`${base}/api/request/datasets.list`, { method: 'POST', headers: { [TOKEN_HEADER]: token.slice(1) } })).status).toBe(401);
    expect((await fetch(`${base}/api/request/datasets.list`, { method: 'POST', headers: { [TOKEN_HEADER]: token } })).status).toBe(200);
    expect((await fetch(`${base}/api/request/datasets.list?token=${token}`, { method: 'POST' })).status).toBe(200);
    expect((await upload(base, [{ path: 'a.txt', data: Buffer.from('x') }])).status).toBe(401);
    const refused = await new Promise<number>((resolve) => {
      const sock = new WebSocket(`${base.replace('http', 'ws')}/api/events`);
      sock.on('unexpected-response', (_req, res) => resolve(res.statusCode ?? 0));
      sock.on('open', () => resolve(101));
      sock.on('error', () => {});
    });
    expect(refused).toBe(401);
    const opened = await new Promise<boolean>((resolve) => {
      const sock = new WebSocket(`${base.replace('http', 'ws')}/api/events?token=${token}`);
      sock.on('open', () => {
        sock.close();
        resolve(true);
      });
      sock.on('error', () => resolve(false));
    });
    expect(opened).toBe(true);
  });

  it('compares tokens by hash in constant time, whatever their lengths', () => {
    const t = generateToken();
    expect(tokenMatches(t, t)).toBe(true);
    expect(tokenMatches(t, '')).toBe(false);
    expect(tokenMatches(t, null)).toBe(false);
    expect(tokenMatches(t, `${t}${t}`)).toBe(false);
  });
});

describe('pretext serve: upload, import, events, download', () => {
  it('rejects unsafe upload paths and leaves nothing behind', async () => {
    const { base } = await serve();
    const tmpDir = join(ws.dir, 'tmp');
    for (const bad of ['../escape.png', 'a/../../escape.png', '/etc/passwd', 'C:/x.png', 'a\\b.png', 'a//b.png', './a.png']) {
      const res = await upload(base, [{ path: bad, data: Buffer.from('data') }]);
      expect(res.status, bad).toBe(400);
      expect(((await res.json()) as { error: { message: string } }).error.message).toContain('upload');
    }
    expect(existsSync(join(ws.dir, 'escape.png'))).toBe(false);
    expect(existsSync(join(tmp.dir, 'escape.png'))).toBe(false);
    expect(readdirSync(tmpDir)).toEqual([]);
    const dup = await upload(base, [{ path: 'a.png', data: Buffer.from('1') }, { path: 'a.png', data: Buffer.from('2') }]);
    expect(dup.status).toBe(400);
    const header = Buffer.from(encodeUploadHeader({ files: [{ path: 'a.png', size: 100 }] }));
    const short = await fetch(`${base}/api/upload`, { method: 'POST', body: Buffer.concat([header, Buffer.from('only a few bytes')]) });
    expect(short.status).toBe(400);
    expect(readdirSync(tmpDir)).toEqual([]);
  });

  it('uploads a folder, imports it over HTTP, reports over the WebSocket; datasets.list shows it; downloads stay inside the workspace', async () => {
    const { base } = await serve();
    const files: { path: string; data: Buffer }[] = [];
    for (const cls of ['cat', 'dog']) {
      for (let i = 0; i < 4; i++) files.push({ path: `pets/${cls}/${i}.png`, data: await solid('png', cls === 'cat' ? [220, 20, 20 + i] : [20, 20 + i, 220], 10, 10) });
    }
    const up = await upload(base, files);
    expect(up.status).toBe(200);
    const { path } = (await up.json()) as { path: string };
    expect(path.startsWith(join(ws.dir, 'tmp'))).toBe(true);
    expect(path.endsWith('pets')).toBe(true);

    const sock = new WebSocket(`${base.replace('http', 'ws')}/api/events`);
    await new Promise((r) => sock.on('open', r));
    const events: EventBatch = [];
    sock.on('message', (m) => events.push(...(JSON.parse(String(m)) as EventBatch)));

    const res = await fetch(`${base}/api/request/datasets.import`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ path, size: 8 }) });
    expect(res.status).toBe(200);
    const { jobId } = (await res.json()) as { jobId: string };
    const deadline = Date.now() + 30_000;
    while (!events.some((e) => e.event === 'job.finished' && (e.payload as JobInfo).id === jobId) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    const done = events.find((e) => e.event === 'job.finished' && (e.payload as JobInfo).id === jobId)!.payload as JobInfo;
    expect(done.status).toBe('completed');
    expect(events.some((e) => e.event === 'datasets.changed')).toBe(true);
    sock.close();

    const list = (await (await fetch(`${base}/api/request/datasets.list`, { method: 'POST' })).json()) as { name: string; source: string; numItems: number; classes: string[] }[];
    expect(list).toHaveLength(1);
    // The upload's folder is gone after the import: the dataset records what was uploaded.
    expect(list[0]!.source).toBe('uploaded: pets');
    expect(list[0]!.name).toBe('pets');
    expect(list[0]!.numItems).toBe(8);
    expect(list[0]!.classes).toEqual(['cat', 'dog']);
    // The uploaded files are removed once imported.
    expect(existsSync(path)).toBe(false);
    expect(readdirSync(join(ws.dir, 'tmp'))).toEqual([]);

    const bad = await fetch(`${base}/api/request/datasets.import`, { method: 'POST', body: '{not json' });
    expect(bad.status).toBe(400);

    writeFileSync(join(ws.dir, 'runs', 'r.txt'), 'hello');
    const dl = await fetch(`${base}/api/download?path=${encodeURIComponent(join(ws.dir, 'runs', 'r.txt'))}`);
    expect(dl.status).toBe(200);
    expect(await dl.text()).toBe('hello');
    writeFileSync(join(tmp.dir, 'secret.txt'), 'no');
    for (const p of [join(tmp.dir, 'secret.txt'), '../secret.txt', '/etc/passwd']) {
      expect((await fetch(`${base}/api/download?path=${encodeURIComponent(p)}`)).status, p).toBe(404);
    }
  });

  it('gives a finished export a download URL only for a file inside the workspace', () => {
    const job = { id: 'job-1', kind: 'export', label: 'x', status: 'completed', done: 1, total: 1, unit: '', etaSeconds: null, message: '', startedAt: null, finishedAt: null, error: null } as JobInfo;
    const inside = join(ws.dir, 'runs', 'e.csv');
    writeFileSync(inside, 'a,b\n');
    const outside = join(tmp.dir, 'e.csv');
    writeFileSync(outside, 'a,b\n');
    expect((withDownloadUrl({ ...job, result: { path: inside, bytes: 4 } }, ws.dir).result as { downloadUrl?: string }).downloadUrl).toBe(`/api/download?path=${encodeURIComponent(inside)}`);
    expect((withDownloadUrl({ ...job, result: { path: outside, bytes: 4 } }, ws.dir).result as { downloadUrl?: string }).downloadUrl).toBeUndefined();
    expect(withDownloadUrl({ ...job, result: 42 }, ws.dir).result).toBe(42);
  });
});
