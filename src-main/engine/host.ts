/**
 * EngineHost: starts the engine process, forwards requests to it and its events out, and
 * restarts it when it dies (engine.status 'restarting' then 'ready'). Runs that were training
 * when it died are resumed from their last checkpoint in the new engine. Used by the Electron
 * main process (utilityProcess) and by `pretext serve` (child_process.fork).
 */
import { fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { ApiError, ApiEvents, EngineStatus, RequestName, RequestOf, ResponseOf } from '../api/contract';
import type { EventBatch } from '../api/bridge';
import type { DataRoots } from '../api/pathAccess';
import { ENGINE_ENV, type EngineIn, type EngineOut } from './protocol';

/** One engine process, whatever started it. */
export interface EngineProcess {
  readonly pid: number | undefined;
  send(m: EngineIn): void;
  onMessage(listener: (m: EngineOut) => void): void;
  /** Called once when the process is gone. */
  onExit(listener: (reason: string) => void): void;
  kill(): void;
}

export type SpawnEngine = (env: Record<string, string>) => EngineProcess;

export const DEFAULT_ENGINE_ENTRY = fileURLToPath(new URL('./entry.mjs', import.meta.url));

/** child_process.fork of the engine entry (the CLI's `pretext serve`, tests). */
export function forkEngine(entry = DEFAULT_ENGINE_ENTRY): SpawnEngine {
  return (env) => {
    const child = fork(entry, [], { execArgv: [], env: { ...process.env, ...env }, serialization: 'json', stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
    return {
      pid: child.pid,
      send: (m) => {
        if (child.connected) child.send(m, () => {});
      },
      onMessage: (l) => void child.on('message', (m: EngineOut) => l(m)),
      onExit: (l) => void child.once('exit', (code, signal) => l(signal ? `killed by ${signal}` : `exit code ${code}`)),
      kill: () => void child.kill('SIGKILL'),
    };
  };
}

export class EngineDownError extends Error implements ApiError {
  readonly code = 'engine-down' as const;
  constructor(message: string) {
    super(message);
    this.name = 'EngineDownError';
  }
}

export interface EngineHostOptions {
  spawn: SpawnEngine;
  workspaceDir: string;
  backend?: string;
  trainChildPath?: string;
  workChildPath?: string;
  /** Where requests may read server-side paths (ServiceOptions.dataRoots; none by default). */
  dataRoots?: DataRoots;
  /** Restarts allowed within `restartWindowMs` before the host gives up ('down'). */
  maxRestarts?: number;
  restartWindowMs?: number;
  startTimeoutMs?: number;
}

interface Pending {
  name: RequestName;
  resolve: (v: unknown) => void;
  reject: (e: Error) => void;
}

export class EngineHost {
  private proc: EngineProcess | null = null;
  private status: EngineStatus = { state: 'starting' };
  private readonly pending = new Map<number, Pending>();
  private readonly listeners = new Set<(batch: EventBatch) => void>();
  private readonly training = new Set<string>();
  private readonly restarts: number[] = [];
  private nextId = 1;
  private stopped = false;
  private ready: Promise<void>;
  private markReady: () => void = () => {};

  constructor(private readonly opts: EngineHostOptions) {
    this.ready = new Promise((r) => (this.markReady = r));
  }

  get engineStatus(): EngineStatus {
    return { ...this.status };
  }

  /** Starts the engine; resolves when it answers. */
  async start(): Promise<void> {
    this.spawn();
    await this.whenReady();
  }

  /** Resolves once the engine is ready, or rejects when it is down for good. */
  whenReady(timeoutMs = this.opts.startTimeoutMs ?? 60_000): Promise<void> {
    if (this.status.state === 'down') return Promise.reject(new EngineDownError(`the engine is down: ${this.status.reason ?? 'stopped'}`));
    let timer: ReturnType<typeof setTimeout> | undefined;
    const timeout = new Promise<void>((_, reject) => {
      timer = setTimeout(() => reject(new EngineDownError(`the engine did not start within ${timeoutMs / 1000} s`)), timeoutMs);
    });
    return Promise.race([this.ready, timeout]).finally(() => clearTimeout(timer));
  }

  async request<N extends RequestName>(name: N, req: RequestOf<N>): Promise<ResponseOf<N>> {
    if (this.status.state !== 'ready') await this.whenReady();
    const proc = this.proc;
    if (!proc) throw new EngineDownError(`the engine is not running (${name})`);
    const id = this.nextId++;
    const res = await new Promise<ResponseOf<N>>((resolve, reject) => {
      this.pending.set(id, { name, resolve: resolve as (v: unknown) => void, reject });
      proc.send({ type: 'request', id, name, req });
    });
    // Only the host knows whether the engine restarted.
    if (name === 'app.info') return { ...(res as ResponseOf<'app.info'>), engine: this.engineStatus } as ResponseOf<N>;
    return res;
  }

  onEvents(listener: (batch: EventBatch) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Asks the engine to stop (it cancels its jobs), then kills it after `graceMs`. */
  async stop(graceMs = 10_000): Promise<void> {
    this.stopped = true;
    const proc = this.proc;
    if (!proc) return;
    await new Promise<void>((resolve) => {
      const timer = setTimeout(() => {
        proc.kill();
        resolve();
      }, graceMs);
      proc.onExit(() => {
        clearTimeout(timer);
        resolve();
      });
      proc.send({ type: 'shutdown' });
    });
    this.proc = null;
  }

  private setStatus(s: EngineStatus): void {
    this.status = s;
    this.dispatch([{ event: 'engine.status', payload: { ...s } }]);
  }

  private dispatch(batch: EventBatch): void {
    for (const l of this.listeners) l(batch);
  }

  private spawn(): void {
    const env: Record<string, string> = { [ENGINE_ENV.workspace]: this.opts.workspaceDir };
    if (this.opts.backend) env[ENGINE_ENV.backend] = this.opts.backend;
    if (this.opts.trainChildPath) env[ENGINE_ENV.trainChild] = this.opts.trainChildPath;
    if (this.opts.workChildPath) env[ENGINE_ENV.workChild] = this.opts.workChildPath;
    // Always set, so that the engine never inherits a wider setting from the host's environment.
    env[ENGINE_ENV.dataRoots] = JSON.stringify(this.opts.dataRoots ?? []);
    const proc = this.opts.spawn(env);
    this.proc = proc;
    let fatal: string | null = null;
    proc.onMessage((m) => {
      switch (m.type) {
        case 'ready':
          this.setStatus({ state: 'ready', pid: m.pid });
          this.markReady();
          this.resumeTraining();
          break;
        case 'response': {
          const p = this.pending.get(m.id);
          if (!p) break;
          this.pending.delete(m.id);
          if (m.ok) p.resolve(m.res);
          else p.reject(Object.assign(new Error(m.error.message), { code: m.error.code }));
          break;
        }
        case 'events':
          this.track(m.batch);
          this.dispatch(m.batch);
          break;
        case 'fatal':
          fatal = m.message;
          break;
      }
    });
    proc.onExit((reason) => this.exited(proc, fatal ? `${fatal} (${reason})` : reason));
  }

  /** Remembers which runs train, so a restart can resume them. */
  private track(batch: EventBatch): void {
    for (const e of batch) {
      if (e.event !== 'run.status') continue;
      const p = e.payload as ApiEvents['run.status'];
      // Only a run the dead engine was training or about to train is resumed; one whose own
      // training process died (out of memory, say) is left for the user to resume.
      if (p.status === 'running' || p.status === 'queued') this.training.add(p.runId);
      else this.training.delete(p.runId);
    }
  }

  private resumeTraining(): void {
    const runs = [...this.training];
    this.training.clear();
    for (const id of runs) {
      this.request('runs.resume', { id }).catch((err: Error) => {
        this.dispatch([{ event: 'run.status', payload: { runId: id, status: 'interrupted', epochsDone: 0, error: `could not resume after the engine restarted: ${err.message}` } }]);
      });
    }
  }

  private exited(proc: EngineProcess, reason: string): void {
    if (this.proc !== proc) return;
    this.proc = null;
    for (const [id, p] of this.pending) {
      p.reject(new EngineDownError(`the engine stopped (${reason}) while answering ${p.name}`));
      this.pending.delete(id);
    }
    if (this.stopped) {
      this.status = { state: 'down', reason: 'stopped' };
      return;
    }
    const now = Date.now();
    const window = this.opts.restartWindowMs ?? 60_000;
    while (this.restarts.length > 0 && now - this.restarts[0]! > window) this.restarts.shift();
    if (this.restarts.length >= (this.opts.maxRestarts ?? 5)) {
      this.setStatus({ state: 'down', reason: `the engine stopped ${this.restarts.length + 1} times within ${window / 1000} s; last: ${reason}` });
      return;
    }
    this.restarts.push(now);
    this.ready = new Promise((r) => (this.markReady = r));
    this.setStatus({ state: 'restarting', reason: `the engine stopped (${reason}); restarting` });
    setTimeout(() => {
      if (!this.stopped) this.spawn();
    }, 200 * this.restarts.length);
  }
}
