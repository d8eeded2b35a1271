/**
 * The engine's work process (workChild): started on the first evaluation, map, export or report
 * job and kept warm for the next ones (a process start with tfjs costs seconds). Jobs go to it
 * by id and relay their progress; cancel aborts one job there. If the process dies, the jobs in
 * it fail with a message saying so, the engine keeps serving, and the next job starts a fresh one.
 */
import type { ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { CancelledError } from '../core/errors';
import { PretextError } from '../core/errors';
import type { JobCtl } from './jobs';
import { forkChild, niceFromEnv } from './trainRunner';
import type { WorkArgs, WorkIn, WorkKind, WorkOut } from './workProtocol';

export const DEFAULT_WORK_CHILD = fileURLToPath(new URL('./workChild.mjs', import.meta.url));

/** Below the engine's interactive work, above training (PRETEXT_WORK_NICE overrides it). */
export const WORK_NICE = niceFromEnv('PRETEXT_WORK_NICE', 2);

interface Pending {
  kind: WorkKind;
  ctl: JobCtl;
  resolve: (v: unknown) => void;
  reject: (e: Error) => void;
}

export class WorkProcess {
  private child: ChildProcess | null = null;
  private readonly pending = new Map<number, Pending>();
  private nextId = 1;

  constructor(private readonly opts: { workspaceDir: string; backend?: string; childPath?: string }) {}

  /** The pid of the running work process, if any. */
  get pid(): number | undefined {
    return this.child?.pid;
  }

  run<K extends WorkKind>(kind: K, args: WorkArgs[K], ctl: JobCtl): Promise<unknown> {
    if (ctl.signal.aborted) return Promise.reject(new CancelledError());
    const child = this.ensure();
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      const onAbort = () => this.post(child, { type: 'cancel', id });
      ctl.signal.addEventListener('abort', onAbort, { once: true });
      this.pending.set(id, {
        kind,
        ctl,
        resolve: (v) => {
          ctl.signal.removeEventListener('abort', onAbort);
          resolve(v);
        },
        reject: (e) => {
          ctl.signal.removeEventListener('abort', onAbort);
          reject(e);
        },
      });
      this.post(child, { type: 'work', id, workspaceDir: this.opts.workspaceDir, kind, args, ...(this.opts.backend ? { backend: this.opts.backend } : {}) });
    });
  }

  /** Stops the process; jobs still in it are cancelled. */
  close(): void {
    const child = this.child;
    this.child = null;
    if (child) {
      child.removeAllListeners('exit');
      child.kill('SIGKILL');
    }
    this.failAll(() => new CancelledError());
  }

  private post(child: ChildProcess, m: WorkIn): void {
    // A process that just died fails its jobs on 'exit'; a send into it is dropped quietly.
    if (child.connected) child.send(m, () => {});
  }

  private ensure(): ChildProcess {
    if (this.child) return this.child;
    const child = forkChild(this.opts.childPath ?? DEFAULT_WORK_CHILD, WORK_NICE);
    this.child = child;
    child.on('message', (m: WorkOut) => {
      const p = this.pending.get(m.id);
      if (!p) return;
      if (m.type === 'progress') {
        const s = p.ctl.progress;
        if (m.call === 'start') s.start(m.label, m.total, m.unit);
        else if (m.call === 'update') s.update(m.done, m.extra);
        else if (m.call === 'finish') s.finish(m.extra);
        else s.log(m.message);
        return;
      }
      this.pending.delete(m.id);
      if (m.type === 'done') p.resolve(m.result);
      else if (m.error.code === 'cancelled' || p.ctl.signal.aborted) p.reject(new CancelledError());
      else p.reject(new PretextError(m.error.message, { code: m.error.code, field: m.error.field }));
    });
    child.on('exit', (code, signal) => {
      if (this.child === child) this.child = null;
      const why = signal ?? `exit code ${code}`;
      this.failAll((p) => (p.ctl.signal.aborted ? new CancelledError() : new PretextError(`the work process died (${why}) during ${p.kind}; try again`, { code: 'internal' })));
    });
    // The engine does not wait for an idle work process to exit.
    child.unref();
    child.channel?.unref();
    return child;
  }

  private failAll(error: (p: Pending) => Error): void {
    for (const [id, p] of this.pending) {
      this.pending.delete(id);
      p.reject(error(p));
    }
  }
}
