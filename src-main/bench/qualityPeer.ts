/**
 * The PyTorch side of `pretext bench quality`: writes a run's recipe and its dataset's split as
 * files (the peer never opens the workspace's SQLite), runs src-main/bench/peer/torch_quality.py
 * with Debian's python3-torch, relays its step lines as progress and parses its JSON.
 */
import { spawn, spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { CancelledError } from '../core/errors';
import { trainingViews } from '../ml/methods';
import type { RunConfig } from '../ml/train/config';
import type { TrainData } from '../ml/train/data';

/** One epoch as the peer reports it. */
export interface PeerEpoch {
  epoch: number;
  loss: number;
  /** 0..1 */
  knn_top1: number;
  seconds: number;
}

export interface PeerResult {
  torch: string;
  method: string;
  seed: number;
  /** What the peer used where the config is silent (the reference's value) or overridden. */
  recipe: Record<string, unknown>;
  epochs: PeerEpoch[];
}

export const PEER_SCRIPT = fileURLToPath(new URL('./peer/torch_quality.py', import.meta.url));

/**
 * A python3 that imports torch and torchvision: PRETEXT_PYTHON, then Debian's /usr/bin/python3
 * (a pyenv or venv `python3` on PATH usually has no torch), then `python3`. Else the reason.
 */
export function torchPython(): { python: string } | { reason: string } {
  const tried: string[] = [];
  for (const python of [process.env['PRETEXT_PYTHON'], '/usr/bin/python3', 'python3']) {
    if (!python || tried.includes(python)) continue;
    tried.push(python);
    const r = spawnSync(python, ['-c', 'import torch, torchvision, PIL'], { encoding: 'utf8' });
    if (r.status === 0) return { python };
  }
  return { reason: `no python3 with torch and torchvision (tried ${tried.join(', ')}; apt-get install -y python3-torch python3-torchvision)` };
}

/** The dataset's split, labels and channel stats as the peer reads them (data.json). */
export function writePeerData(dir: string, data: TrainData): string {
  const path = join(dir, 'data.json');
  writeFileSync(
    path,
    JSON.stringify({
      size: data.size,
      channels: data.channels,
      trainIdx: data.trainIdx,
      testIdx: data.testIdx,
      labels: Array.from(data.labels),
      numClasses: data.numClasses,
      stats: data.stats,
    }),
  );
  return path;
}

/** A run's resolved config and the views it trains with (the preset's ops and parameters). */
export function writePeerConfig(dir: string, cfg: RunConfig, size: number): string {
  const path = join(dir, `config-${cfg.method}-${cfg.seed}.json`);
  writeFileSync(path, JSON.stringify({ config: cfg, views: trainingViews(cfg.method, cfg.preset, size) }));
  return path;
}

export interface PeerOptions {
  python: string;
  pixels: string;
  data: string;
  config: string;
  /** Recipe overrides KEY=VALUE (clipLr=false, tau=0.99, …). */
  set?: string[];
  threads?: number;
  signal?: AbortSignal;
  /** Each optimisation step the peer finishes (1-based) of `total`. */
  onStep?(step: number, total: number): void;
}

/** Runs the peer; rejects with its last stderr line when it fails, CancelledError on abort. */
export function runPeer(o: PeerOptions): Promise<PeerResult> {
  const threads = o.threads ?? 2;
  const args = [PEER_SCRIPT, '--pixels', o.pixels, '--data', o.data, '--config', o.config, '--threads', String(threads)];
  for (const kv of o.set ?? []) args.push('--set', kv);
  return new Promise((resolve, reject) => {
    const child = spawn(o.python, args, { env: { ...process.env, OMP_NUM_THREADS: String(threads), MKL_NUM_THREADS: String(threads) }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let errTail = '';
    let pending = '';
    const abort = () => child.kill('SIGTERM');
    o.signal?.addEventListener('abort', abort, { once: true });
    child.stdout.on('data', (b: Buffer) => (stdout += b.toString()));
    child.stderr.on('data', (b: Buffer) => {
      pending += b.toString();
      const lines = pending.split('\n');
      pending = lines.pop() ?? '';
      for (const line of lines) {
        const m = /^step (\d+)\/(\d+)/.exec(line);
        if (m) o.onStep?.(Number(m[1]), Number(m[2]));
        else if (line.trim()) errTail = line;
      }
    });
    child.on('error', reject);
    child.on('close', (code) => {
      o.signal?.removeEventListener('abort', abort);
      if (o.signal?.aborted) return reject(new CancelledError());
      if (code !== 0) return reject(new Error(`PyTorch peer failed (${PEER_SCRIPT}, exit ${code}): ${(pending.trim() || errTail).slice(0, 500)}`));
      try {
        resolve(JSON.parse(stdout.trim().split('\n').pop()!) as PeerResult);
      } catch (err) {
        reject(new Error(`PyTorch peer printed no JSON result: ${(err as Error).message}`));
      }
    });
  });
}
