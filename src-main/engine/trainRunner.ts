/**
 * Runs one training job in a child process (trainChild) and relays its progress. Cancel sends
 * 'cancel' (the run stops cleanly after the current step, and stays resumable); a child that
 * dies without finishing (crash, out of memory, killed) leaves its run interrupted, resumable
 * from its last checkpoint.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { setPriority } from 'node:os';
import { fileURLToPath } from 'node:url';
import { CancelledError } from '../core/errors';
import { getRun, updateRun } from '../store/runs';
import type { Workspace } from '../store/workspace';
import type { JobCtl } from './jobs';
import type { TrainChildIn, TrainChildOut } from './trainProtocol';

export const DEFAULT_TRAIN_CHILD = fileURLToPath(new URL('./trainChild.mjs', import.meta.url));

/**
 * Scheduling priority (nice) of a training process: below the engine's interactive work and
 * evaluations (nice 5 gives the engine about 3× its CPU share when both want the cores).
 * PRETEXT_TRAIN_NICE overrides it (0: normal priority).
 */
export const TRAIN_NICE = niceFromEnv('PRETEXT_TRAIN_NICE', 5);

export function niceFromEnv(name: string, fallback: number): number {
  const v = process.env[name];
  const n = v === undefined || v.trim() === '' ? NaN : Number(v);
  return Number.isInteger(n) && n >= 0 && n <= 19 ? n : fallback;
}

/** After a cancel, a child that has not stopped within this long is killed. */
const CANCEL_GRACE_MS = 120_000;

export interface TrainHooks {
  onMessage?(m: TrainChildOut): void;
  onSpawn?(pid: number): void;
}

export interface TrainOutcome {
  status: 'completed' | 'cancelled';
  epochsDone: number;
  trainSeconds: number;
  metrics: Record<string, number>;
}

/**
 * Forks a job's child process at a lower scheduling priority (nice): a job takes every core it
 * can get, and this way yields them to the engine's interactive work (augment previews, lists)
 * and the UI, losing nothing when they are idle.
 */
export function forkChild(childPath: string, nice: number): ChildProcess {
  const env = { ...process.env };
  // Inside Electron (utilityProcess) process.execPath is the Electron binary: run it as Node.
  if (process.versions['electron']) env['ELECTRON_RUN_AS_NODE'] = '1';
  const child = fork(childPath, [], { execArgv: [], env, serialization: 'json', stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  if (child.pid) {
    try {
      setPriority(child.pid, nice);
    } catch {
      /* not permitted here: run at normal priority */
    }
  }
  return child;
}

export function trainInChild(
  ws: Workspace,
  runId: string,
  opts: { backend?: string; childPath?: string },
  ctl: JobCtl,
  hooks: TrainHooks = {},
): Promise<TrainOutcome> {
  return new Promise((resolve, reject) => {
    const child = forkChild(opts.childPath ?? DEFAULT_TRAIN_CHILD, TRAIN_NICE);
    let outcome: TrainOutcome | null = null;
    let failure: string | null = null;
    let killTimer: ReturnType<typeof setTimeout> | null = null;
    const post = (m: TrainChildIn) => {
      if (child.connected) child.send(m, () => {});
    };
    const onAbort = () => {
      post({ type: 'cancel' });
      killTimer = setTimeout(() => child.kill('SIGKILL'), CANCEL_GRACE_MS);
    };
    if (child.pid) hooks.onSpawn?.(child.pid);
    child.on('message', (m: TrainChildOut) => {
      if (m.type === 'done') outcome = { status: m.status, epochsDone: m.epochsDone, trainSeconds: m.trainSeconds, metrics: m.metrics };
      else if (m.type === 'error') failure = m.message;
      hooks.onMessage?.(m);
    });
    child.on('error', (err) => {
      failure ??= `training process: ${err.message}`;
    });
    child.on('exit', (code, signal) => {
      ctl.signal.removeEventListener('abort', onAbort);
      if (killTimer) clearTimeout(killTimer);
      if (outcome) {
        if (outcome.status === 'cancelled') reject(new CancelledError());
        else resolve(outcome);
        return;
      }
      if (failure) return reject(new Error(failure));
      // Died mid-run: the run row still says 'running' with a dead pid.
      const run = getRun(ws, runId);
      if (run && run.status === 'running') updateRun(ws, runId, { status: 'interrupted', pid: null });
      reject(new Error(`the training process of ${runId} died (${signal ?? `exit code ${code}`}); resume it from its last checkpoint`));
    });
    ctl.signal.addEventListener('abort', onAbort, { once: true });
    post({ type: 'train', workspaceDir: ws.dir, runId, ...(opts.backend ? { backend: opts.backend } : {}) });
    if (ctl.signal.aborted) onAbort();
  });
}
