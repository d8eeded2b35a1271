/**
 * The real HTTP server of `pretext serve` (in-process) on the real service and a workspace in
 * a temp folder, for the malformed-request and fuzz tests; and the checks every answer passes.
 */
import { mkdirSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { expect } from 'vitest';
import { createService, type Service } from '../../src-main/api/service';
import { startServer, type ApiBackend, type RunningServer } from '../../src-main/server/server';
import { Workspace } from '../../src-main/store/workspace';
import { makeTempDir } from '../helpers/tmp';
import { makeToyDataset } from '../helpers/toyDataset';

export interface Harness {
  tmp: ReturnType<typeof makeTempDir>;
  ws: Workspace;
  service: Service;
  server: RunningServer;
  base: string;
  datasetId: string;
  /** A folder outside the workspace whose contents must not change. */
  sentinel: string;
  close(): Promise<void>;
}

export async function startHarness(): Promise<Harness> {
  const tmp = makeTempDir('pretext-fuzz-');
  const ws = Workspace.open(join(tmp.dir, 'ws'));
  const service = createService(ws, { backend: 'cpu' });
  const rendererDir = join(tmp.dir, 'renderer');
  mkdirSync(rendererDir, { recursive: true });
  writeFileSync(join(rendererDir, 'index.html'), '<!doctype html><title>t</title>');
  const sentinel = join(tmp.dir, 'sentinel');
  mkdirSync(sentinel);
  writeFileSync(join(sentinel, 'keep.txt'), 'untouched');
  const api: ApiBackend = { request: (name, req) => service.handle(name, req as never), onEvents: (l) => service.onEvents(l) };
  const server = await startServer({ api, workspaceDir: ws.dir, rendererDir, port: 0 });
  const base = `http://127.0.0.1:${new URL(server.url).port}`;
  const datasetId = makeToyDataset(ws);
  return {
    tmp,
    ws,
    service,
    server,
    base,
    datasetId,
    sentinel,
    async close() {
      await server.close();
      await service.close();
      ws.close();
      tmp.cleanup();
    },
  };
}

/** POSTs a raw body to /api/request/<name> (the name as given: it may be badly encoded). */
export async function post(base: string, name: string, body: string | undefined): Promise<{ status: number; text: string; json: unknown }> {
  const res = await fetch(`${base}/api/request/${name}`, { method: 'POST', headers: { 'content-type': 'application/json' }, ...(body !== undefined ? { body } : {}) });
  const text = await res.text();
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    json = undefined;
  }
  return { status: res.status, text, json };
}

const LEAKS = [/Cannot destructure/, /Too few parameter values/, /URI malformed/, /Maximum call stack size exceeded/, /ENAMETOOLONG/, /\n\s+at /, /Cannot read properties/, /is not a function/, /SQLITE/];

/** An answer no request may get: a 5xx, a stack, raw JS/SQLite text, or an error naming a path of this machine. */
export function expectCleanAnswer(h: Harness, r: { status: number; text: string; json: unknown }, what: string): void {
  expect(r.status, `${what}: ${r.text.slice(0, 300)}`).toBeLessThan(500);
  for (const leak of LEAKS) expect(r.text, what).not.toMatch(leak);
  if (r.status >= 400) {
    // (app.info names the workspace folder by design; an error never names a path.)
    for (const p of [h.tmp.dir, h.ws.dir, process.cwd()]) expect(r.text, what).not.toContain(p);
    const err = (r.json as { error?: { message?: unknown; code?: unknown; field?: unknown } } | undefined)?.error;
    expect(typeof err?.message, what).toBe('string');
    if (r.status === 404) expect(err?.code, what).toBe('not-found');
  }
}

/** Every file under a folder with its size and mtime: what "nothing changed" compares. */
export function snapshot(dir: string, skip: string[] = []): string[] {
  const out: string[] = [];
  const walk = (d: string) => {
    for (const name of readdirSync(d)) {
      const p = join(d, name);
      if (skip.includes(p)) continue;
      const s = statSync(p);
      out.push(`${relative(dir, p)} ${s.isDirectory() ? 'dir' : `${s.size} ${s.mtimeMs}`}`);
      if (s.isDirectory()) walk(p);
    }
  };
  walk(dir);
  return out.sort();
}
