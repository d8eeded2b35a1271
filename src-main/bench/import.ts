import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { mkdtemp } from 'node:fs/promises';
import { availableParallelism, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { benchArgs, type BenchContext } from './context';
import { PretextError } from '../core/errors';
import { silentProgress } from '../core/progress';
import { openSource } from '../data/formats/detect';
import { importSource } from '../tasks/import';
import { forEachPool } from '../data/import/pool';
import { mulberry32 } from '../data/import/split';
import { Workspace } from '../store/workspace';

interface Case {
  name: string;
  count: number;
  width: number;
  height: number;
  format: 'png' | 'jpeg';
}

/** Smooth gradients plus seeded noise: compresses like a photo, not like a flat fill. */
function pixels(w: number, h: number, seed: number): Buffer {
  const rand = mulberry32(seed);
  const buf = Buffer.alloc(w * h * 3);
  const a = rand() * 255;
  const b = rand() * 255;
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      const o = (y * w + x) * 3;
      const n = rand() * 40;
      buf[o] = (a + (255 * x) / w + n) % 256;
      buf[o + 1] = (b + (255 * y) / h + n) % 256;
      buf[o + 2] = (a + b + n * 2) % 256;
    }
  }
  return buf;
}

async function generate(dir: string, c: Case, signal: AbortSignal): Promise<void> {
  const classes = 10;
  for (let k = 0; k < classes; k++) mkdirSync(join(dir, `class${k}`), { recursive: true });
  await forEachPool(
    c.count,
    4,
    async (i) => {
      const img = sharp(pixels(c.width, c.height, i + 1), { raw: { width: c.width, height: c.height, channels: 3 } });
      const data = c.format === 'png' ? await img.png().toBuffer() : await img.jpeg({ quality: 90 }).toBuffer();
      writeFileSync(join(dir, `class${i % classes}`, `${i}.${c.format === 'png' ? 'png' : 'jpg'}`), data);
    },
    signal,
  );
}

const usage = `Usage: pretext bench import [--runs N] [--concurrency C] [--workers W] [--png N] [--jpeg N]
Generates N small PNGs (64×64) and N 640×480 JPEGs in a temp folder, imports each folder into a
temp workspace at --size 32 and prints images/s (whole import: read, hash, decode, write, commit)
and CPU milliseconds per image (all threads), which, unlike images/s, does not depend on other load.
--workers sets the decode worker threads (default: chosen by core count, 0 on 1–2 cores).`;

export async function run(args: string[], ctx: BenchContext): Promise<unknown> {
  const values = benchArgs(
    args,
    {
      runs: { type: 'string', default: '2' },
      concurrency: { type: 'string', default: '4' },
      png: { type: 'string', default: '10000' },
      jpeg: { type: 'string', default: '500' },
      workers: { type: 'string' },
    },
    usage,
  );
  const num = (name: string, v: string) => {
    const n = Number(v);
    if (!Number.isInteger(n) || n < 1) throw new PretextError(`--${name} ${v}: must be a positive whole number`, { field: 'usage' });
    return n;
  };
  const runs = num('runs', values.runs);
  const concurrency = num('concurrency', values.concurrency);
  const workers = values.workers === undefined ? undefined : values.workers === '0' ? 0 : num('workers', values.workers);
  const cases: Case[] = [
    { name: 'small PNG 64×64', count: num('png', values.png), width: 64, height: 64, format: 'png' },
    { name: 'JPEG 640×480', count: num('jpeg', values.jpeg), width: 640, height: 480, format: 'jpeg' },
  ];
  const root = await mkdtemp(join(tmpdir(), 'pretext-bench-import-'));
  const results: { case: string; count: number; imagesPerSecond: number[]; best: number; cpuMsPerImage: number }[] = [];
  ctx.print(
    `bench import: ${availableParallelism()} CPUs, concurrency ${concurrency}, workers ${workers ?? 'auto'}, sharp/libvips threads ${sharp.concurrency()}, ${runs} runs`,
  );
  try {
    for (const c of cases) {
      const dir = join(root, c.format);
      ctx.progress.log(`generating ${c.count} ${c.name} in ${dir}`);
      await generate(dir, c, ctx.signal);
      const rates: number[] = [];
      const cpuPerImage: number[] = [];
      for (let r = 0; r < runs; r++) {
        const wsDir = join(root, `ws-${c.format}-${r}`);
        const ws = Workspace.open(wsDir);
        try {
          const t0 = performance.now();
          const cpu0 = process.cpuUsage();
          const res = await importSource(ws, await openSource(dir), { size: 32, concurrency, workers }, silentProgress, ctx.signal);
          const s = (performance.now() - t0) / 1000;
          const cpu = process.cpuUsage(cpu0);
          const cpuMs = (cpu.user + cpu.system) / 1000 / c.count;
          if (res.imported !== c.count) throw new Error(`${c.name}: imported ${res.imported} of ${c.count} (${res.failed[0]?.reason ?? ''})`);
          rates.push(c.count / s);
          cpuPerImage.push(cpuMs);
          ctx.print(
            `  ${c.name.padEnd(16)} run ${r + 1}: ${c.count} images in ${s.toFixed(2)} s = ${(c.count / s).toFixed(0)} images/s (CPU ${cpuMs.toFixed(3)} ms/image, load ${loadavg()[0]!.toFixed(1)})`,
          );
        } finally {
          ws.close();
          rmSync(wsDir, { recursive: true, force: true });
        }
      }
      results.push({
        case: c.name,
        count: c.count,
        imagesPerSecond: rates.map((x) => Math.round(x)),
        best: Math.round(Math.max(...rates)),
        cpuMsPerImage: Math.min(...cpuPerImage),
      });
    }
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
  // CPU time per image does not depend on what else runs on the machine; wall-clock rates do.
  for (const r of results) ctx.print(`${r.case}: best ${r.best} images/s; ${r.cpuMsPerImage.toFixed(3)} ms of CPU per image`);
  return { concurrency, workers: workers ?? 'auto', cpus: availableParallelism(), results };
}
