/**
 * What the end-to-end test needs around the browser: the renderer build (rebuilt when a
 * source is newer), `pretext serve` as a child process on a free port with its own
 * workspace, a tiny folder of PNGs in class folders, a folder that is slow to import (to
 * cancel it), unzipping a download, and a check that a screenshot is not blank.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { crc32 } from 'node:zlib';
import sharp from 'sharp';
import yauzl from 'yauzl';

export const ROOT = fileURLToPath(new URL('../..', import.meta.url));
export const CHROMIUM = '/usr/bin/chromium';

function newestMtime(dir: string): number {
  let newest = 0;
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    const s = statSync(p);
    newest = Math.max(newest, s.isDirectory() ? newestMtime(p) : s.mtimeMs);
  }
  return newest;
}

/** Runs `electron-vite build` when out/renderer is missing or older than the renderer's sources. */
export function ensureRendererBuild(): void {
  const index = join(ROOT, 'out', 'renderer', 'index.html');
  const sources = Math.max(newestMtime(join(ROOT, 'src-renderer')), newestMtime(join(ROOT, 'src-main', 'api')));
  if (existsSync(index) && statSync(index).mtimeMs >= sources) return;
  const r = spawnSync(process.execPath, [join(ROOT, 'node_modules', 'electron-vite', 'bin', 'electron-vite.js'), 'build'], {
    cwd: ROOT,
    encoding: 'utf8',
    env: { ...process.env, ELECTRON_SKIP_BINARY_DOWNLOAD: '1' },
  });
  if (r.status !== 0) throw new Error(`electron-vite build failed (exit ${r.status}):\n${r.stderr || r.stdout}`);
}

/** `count` PNGs of `size` px per class folder under dir/name; each class has its own colour and stripes. */
export async function makeImageFolder(dir: string, name: string, classes: string[], count: number, size = 16): Promise<string> {
  const root = join(dir, name);
  for (const [c, cls] of classes.entries()) {
    mkdirSync(join(root, cls), { recursive: true });
    for (let i = 0; i < count; i++) {
      const px = Buffer.alloc(size * size * 3);
      for (let y = 0; y < size; y++) {
        for (let x = 0; x < size; x++) {
          const stripe = ((c % 2 === 0 ? x : y) + i) % (2 + c) === 0;
          const o = (y * size + x) * 3;
          px[o] = stripe ? 240 : (60 * c + 7 * i) % 256;
          px[o + 1] = stripe ? 240 : (90 + 40 * c) % 256;
          px[o + 2] = stripe ? 30 : (200 - 45 * c + 3 * i) % 256;
        }
      }
      await sharp(px, { raw: { width: size, height: size, channels: 3 } }).png().toFile(join(root, cls, `${cls}-${i}.png`));
    }
  }
  return root;
}

export interface Served {
  url: string;
  proc: ChildProcess;
  /** Everything the server wrote on stderr (for a failure's message). */
  log: () => string;
  stop: () => Promise<void>;
}

/** Starts `pretext serve --port 0` on a workspace and waits for its URL line. */
export function startServe(workspace: string, timeoutMs = 60_000): Promise<Served> {
  const proc = spawn(process.execPath, [join(ROOT, 'src-main', 'cli', 'bin.mjs'), '--workspace', workspace, 'serve', '--port', '0'], {
    cwd: ROOT,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  proc.stderr!.on('data', (d: Buffer) => (err = (err + d.toString()).slice(-20_000)));
  const stop = () =>
    new Promise<void>((resolve) => {
      if (proc.exitCode !== null || proc.signalCode !== null) return resolve();
      const kill = setTimeout(() => proc.kill('SIGKILL'), 10_000);
      proc.once('exit', () => {
        clearTimeout(kill);
        resolve();
      });
      proc.kill('SIGINT');
    });
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      void stop();
      reject(new Error(`pretext serve printed no URL in ${timeoutMs} ms; stderr:\n${err}`));
    }, timeoutMs);
    proc.stdout!.on('data', (d: Buffer) => {
      out += d.toString();
      const m = /Pretext workbench: (http:\/\/\S+)/.exec(out);
      if (m) {
        clearTimeout(timer);
        resolve({ url: m[1]!, proc, log: () => err, stop });
      }
    });
    proc.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`pretext serve exited with ${code} before printing its URL; stderr:\n${err}`));
    });
  });
}

/** Per-channel standard deviation of a PNG: near 0 when the image is a single colour. */
export async function pixelSpread(png: Buffer | string): Promise<number> {
  const stats = await sharp(png).stats();
  return Math.max(...stats.channels.map((c) => c.stdev));
}

/** A PNG with a tEXt chunk before IEND: the same pixels, different bytes (so a distinct file to the importer). */
function withComment(png: Buffer, comment: string): Buffer {
  const body = Buffer.from(`Comment\0${comment}`, 'latin1');
  const chunk = Buffer.alloc(12 + body.length);
  chunk.writeUInt32BE(body.length, 0);
  chunk.write('tEXt', 4, 'latin1');
  body.copy(chunk, 8);
  chunk.writeUInt32BE(crc32(chunk.subarray(4, 8 + body.length)), 8 + body.length);
  const iend = png.length - 12; // IEND is the last chunk: length 0, type, CRC
  return Buffer.concat([png.subarray(0, iend), chunk, png.subarray(iend)]);
}

/**
 * `count` large single-colour PNGs per class folder: tiny files (cheap to make and upload) that
 * take the importer about 10 ms each to decode and shrink, so an import of a few hundred lasts
 * seconds: long enough to cancel it from the UI.
 */
export async function makeSlowImportFolder(dir: string, name: string, classes: string[], count: number, px = 3000): Promise<string> {
  const root = join(dir, name);
  for (const [c, cls] of classes.entries()) {
    mkdirSync(join(root, cls), { recursive: true });
    const base = await sharp({ create: { width: px, height: px, channels: 3, background: { r: 40 * c, g: 200 - 30 * c, b: 90 } } }).png({ compressionLevel: 9 }).toBuffer();
    for (let i = 0; i < count; i++) writeFileSync(join(root, cls, `${cls}-${i}.png`), withComment(base, `${cls} ${i}`));
  }
  return root;
}

/** Extracts a zip (a downloaded folder export) into dir; returns the relative names of its files. */
export async function unzipTo(zipPath: string, dir: string): Promise<string[]> {
  const zip = await yauzl.openPromise(zipPath, { lazyEntries: true });
  const names: string[] = [];
  await new Promise<void>((resolve, reject) => {
    zip.on('entry', (e: yauzl.Entry) => {
      if (e.fileName.includes('..') || e.fileName.startsWith('/')) return reject(new Error(`${zipPath}: unsafe entry ${e.fileName}`));
      zip
        .openReadStreamPromise(e)
        .then(async (stream) => {
          const chunks: Buffer[] = [];
          for await (const chunk of stream as AsyncIterable<Buffer>) chunks.push(chunk);
          const out = join(dir, e.fileName);
          mkdirSync(dirname(out), { recursive: true });
          writeFileSync(out, Buffer.concat(chunks));
          names.push(e.fileName);
          zip.readEntry();
        })
        .catch(reject);
    });
    zip.on('end', () => resolve());
    zip.on('error', reject);
    zip.readEntry();
  });
  return names;
}
