// A folder export (the tfjs encoder) downloads from `pretext serve` as one zip: the archive is
// read back with yauzl (the zip reader the importer uses), over HTTP and directly.
import { randomBytes } from 'node:crypto';
import { mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import yauzl from 'yauzl';
import type { JobInfo } from '../../src-main/api/contract';
import { createService, type Service } from '../../src-main/api/service';
import { startServer, withDownloadUrl, type RunningServer } from '../../src-main/server/server';
import { zipDirectory, ZipLimitError } from '../../src-main/data/formats/zipWrite';
import { Workspace } from '../../src-main/store/workspace';
import { makeTempDir } from '../helpers/tmp';

/** Every entry of a zip: name → { bytes, compression method }. */
async function unzip(buf: Buffer): Promise<Map<string, { data: Buffer; method: number }>> {
  const zip = await yauzl.fromBufferPromise(buf, { lazyEntries: true });
  const out = new Map<string, { data: Buffer; method: number }>();
  await new Promise<void>((resolve, reject) => {
    zip.on('entry', (e: yauzl.Entry) => {
      zip
        .openReadStreamPromise(e)
        .then(async (s) => {
          const chunks: Buffer[] = [];
          for await (const c of s as AsyncIterable<Buffer>) chunks.push(c);
          out.set(e.fileName, { data: Buffer.concat(chunks), method: e.compressionMethod });
          zip.readEntry();
        })
        .catch(reject);
    });
    zip.on('end', () => resolve());
    zip.on('error', reject);
    zip.readEntry();
  });
  return out;
}

let tmp: ReturnType<typeof makeTempDir>;
beforeEach(() => (tmp = makeTempDir()));
afterEach(() => tmp.cleanup());

/** A folder like a tfjs export, plus a nested folder, an empty file, a non-ASCII name and a symlink. */
function exportFolder(root: string): Record<string, Buffer> {
  const files: Record<string, Buffer> = {
    'model.json': Buffer.from(JSON.stringify({ format: 'layers-model', layers: Array.from({ length: 50 }, (_, i) => ({ name: `conv${i}` })) })),
    'weights.bin': randomBytes(5000),
    'pretext.json': Buffer.from('{"method":"simclr"}\n'),
    'empty.txt': Buffer.alloc(0),
    'sub/é notes.txt': Buffer.from('nested\n'.repeat(100)),
  };
  mkdirSync(join(root, 'sub'), { recursive: true });
  for (const [name, data] of Object.entries(files)) writeFileSync(join(root, name), data);
  symlinkSync('/etc/hostname', join(root, 'link'));
  return files;
}

describe('zipDirectory', () => {
  it('packs every regular file with its relative path; deflates what shrinks, stores what does not; leaves symlinks out', async () => {
    const root = join(tmp.dir, 'encoder-e1-tfjs');
    const files = exportFolder(root);
    const entries = await unzip(await zipDirectory(root));
    expect([...entries.keys()].sort()).toEqual(Object.keys(files).sort());
    for (const [name, data] of Object.entries(files)) expect(entries.get(name)!.data.equals(data), name).toBe(true);
    expect(entries.get('model.json')!.method).toBe(8);
    expect(entries.get('weights.bin')!.method).toBe(0);
  });

  it('refuses a folder larger than the limit, naming it', async () => {
    const root = join(tmp.dir, 'big');
    mkdirSync(root);
    writeFileSync(join(root, 'a.bin'), Buffer.alloc(2000));
    await expect(zipDirectory(root, 1000)).rejects.toThrow(ZipLimitError);
    await expect(zipDirectory(root, 1000)).rejects.toThrow(/big: its files add up to 2000 bytes/);
    // An empty folder is a valid, empty archive.
    mkdirSync(join(tmp.dir, 'none'));
    expect((await unzip(await zipDirectory(join(tmp.dir, 'none')))).size).toBe(0);
  });
});

describe('pretext serve: a folder export downloads as a zip', () => {
  let ws: Workspace;
  let service: Service;
  let server: RunningServer;
  beforeEach(async () => {
    ws = Workspace.open(join(tmp.dir, 'ws'));
    service = createService(ws, { backend: 'cpu' });
    const rendererDir = join(tmp.dir, 'renderer');
    mkdirSync(rendererDir);
    writeFileSync(join(rendererDir, 'index.html'), '<!doctype html><title>t</title>');
    server = await startServer({
      api: { request: (name, req) => service.handle(name, req as never), onEvents: (l) => service.onEvents(l) },
      workspaceDir: ws.dir,
      rendererDir,
      port: 0,
    });
  });
  afterEach(async () => {
    await server.close();
    await service.close();
    ws.close();
  });

  it('gives the folder a download URL and serves it as <name>.zip; folders outside the workspace stay out', async () => {
    const folder = join(ws.dir, 'runs', 'r1', 'exports', 'encoder-e1-tfjs');
    const files = exportFolder(folder);
    const job = { id: 'job-1', kind: 'export', label: 'export tfjs r1', status: 'completed', done: 3, total: 3, unit: 'steps', etaSeconds: null, message: '', startedAt: null, finishedAt: null, error: null } as JobInfo;
    const withUrl = withDownloadUrl({ ...job, result: { path: folder, bytes: 1234 } }, ws.dir).result as { downloadUrl?: string };
    expect(withUrl.downloadUrl).toBe(`/api/download?path=${encodeURIComponent(folder)}`);

    const res = await fetch(new URL(withUrl.downloadUrl!, server.url));
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('application/zip');
    expect(res.headers.get('content-disposition')).toBe('attachment; filename="encoder-e1-tfjs.zip"');
    const entries = await unzip(Buffer.from(await res.arrayBuffer()));
    expect(entries.get('weights.bin')!.data.equals(files['weights.bin']!)).toBe(true);
    expect(entries.size).toBe(Object.keys(files).length);

    const outside = join(tmp.dir, 'elsewhere');
    mkdirSync(outside);
    expect(withDownloadUrl({ ...job, result: { path: outside, bytes: 1 } }, ws.dir).result).not.toHaveProperty('downloadUrl');
    for (const p of [outside, ws.dir, join(ws.dir, '..')]) {
      expect((await fetch(new URL(`/api/download?path=${encodeURIComponent(p)}`, server.url))).status, p).toBe(404);
    }
  });
});
