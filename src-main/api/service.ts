/**
 * The service behind the API contract: every request of ApiRequests on the real modules, and
 * the events, in throttled batches. It runs in the engine process (engine/entry.ts); the
 * transports (Electron IPC, HTTP + WebSocket) only carry its requests and events.
 */
import { readFileSync } from 'node:fs';
import type { ApiEvents, AppInfo, EngineStatus, EventName, RequestName, RequestOf, ResponseOf } from './contract';
import type { EventBatch } from './bridge';
import { describeBackend, initBackend, listBackends, useBackend, type BackendInfo } from '../ml/backend';
import { listRuns } from '../store/runs';
import type { Workspace } from '../store/workspace';
import { JobQueue } from '../engine/jobs';
import { WorkProcess } from '../engine/workRunner';
import { augmentHandlers } from './augmentApi';
import type { Handlers, ServiceContext, ServiceOptions } from './context';
import { datasetsHandlers } from './datasetsApi';
import { liveRun } from './dto';
import { PretextError } from '../core/errors';
import { evalHandlers } from './evalApi';
import { neighboursHandlers } from './neighboursApi';
import { reconstructHandlers } from './reconstructApi';
import { isRequestName } from './names';
import { validateRequest } from './schema/validate';
import { recipeHandlers } from './recipeApi';
import { runsHandlers, trainingFinished } from './runsApi';

export type { ServiceOptions } from './context';

/** Events are sent in batches at most this often. */
export const EVENT_FLUSH_MS = 100;

export interface Service {
  readonly ws: Workspace;
  handle<N extends RequestName>(name: N, req: RequestOf<N>): Promise<ResponseOf<N>>;
  /** Subscribes to event batches; returns the unsubscribe function. */
  onEvents(listener: (batch: EventBatch) => void): () => void;
  /** Runs marked interrupted at start-up (their process died): the host may resume them. */
  readonly interrupted: string[];
  /** Cancels the jobs, waits for them and flushes the last events. */
  close(): Promise<void>;
}

function packageVersion(): string {
  try {
    const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version?: string };
    return pkg.version ?? '0.0.0';
  } catch {
    return '0.0.0';
  }
}

/** A handler's error as it leaves the service: a PretextError as it is; anything else (a bug,
 *  a raw SQLite or file-system error) is logged here and answers a generic 'internal' error
 *  without its text, which may hold paths or internals. */
function internalError(name: RequestName, err: unknown): PretextError {
  if (err instanceof PretextError) return err;
  console.error(`pretext: ${name} failed:`, err);
  return new PretextError(`${name} failed: internal error (see the engine's log)`, { code: 'internal' });
}

export function createService(ws: Workspace, opts: ServiceOptions = {}): Service {
  const listeners = new Set<(batch: EventBatch) => void>();
  let pending: EventBatch = [];
  let timer: ReturnType<typeof setTimeout> | null = null;
  const flush = () => {
    timer = null;
    if (pending.length === 0) return;
    const batch = pending;
    pending = [];
    for (const l of listeners) l(batch);
  };
  const emit = <E extends EventName>(event: E, payload: ApiEvents[E]) => {
    pending.push({ event, payload } as EventBatch[number]);
    timer ??= setTimeout(flush, EVENT_FLUSH_MS);
  };

  let backendPromise: Promise<BackendInfo> | null = null;
  const ctx: ServiceContext = {
    ws,
    opts,
    emit,
    training: new Map(),
    work: new WorkProcess({ workspaceDir: ws.dir, backend: opts.backend, childPath: opts.workChildPath }),
    backend: () => (backendPromise ??= initBackend({ prefer: opts.backend }).catch((err: Error) => {
      backendPromise = null;
      throw new PretextError(err.message, { code: 'internal' });
    })),
    jobs: new JobQueue((event, info) => {
      emit(event, info);
      if (event === 'job.finished' && info.kind === 'train' && info.runId) trainingFinished(ctx, info.runId);
    }),
  };

  // A run left 'running' by a process that died (an engine crash, a killed CLI) is interrupted.
  const interrupted = listRuns(ws)
    .filter((r) => r.status === 'running' && liveRun(ws, r).status === 'interrupted')
    .map((r) => r.id);

  const engineState = (): EngineStatus => opts.engineState?.() ?? { state: 'ready', pid: process.pid };
  const handlers: Handlers<RequestName> = {
    'app.info': async (): Promise<AppInfo> => {
      let backend: AppInfo['backend'] = null;
      try {
        await ctx.backend();
        const b = describeBackend();
        backend = { name: b.name, version: b.version, device: b.device, threads: b.threads, skipped: b.skipped };
      } catch {
        backend = null;
      }
      return { version: opts.version ?? packageVersion(), workspaceDir: ws.dir, transport: 'ipc', backend, engine: engineState() };
    },
    'backends.list': async () => {
      await ctx.backend();
      const chosen = describeBackend().name;
      const probes = await listBackends();
      // listBackends switches to the first that loads: switch back to the one in use.
      await useBackend(chosen);
      return probes.map((p) => ({ name: p.name, available: p.loaded, ...(p.reason ? { reason: p.reason } : {}), ...(p.device ? { device: p.device } : {}) }));
    },
    ...datasetsHandlers(ctx),
    ...augmentHandlers(ctx),
    ...runsHandlers(ctx),
    ...evalHandlers(ctx),
    ...neighboursHandlers(ctx),
    ...recipeHandlers(ctx),
    ...reconstructHandlers(ctx),
  };

  return {
    ws,
    interrupted,
    async handle<N extends RequestName>(name: N, req: RequestOf<N>): Promise<ResponseOf<N>> {
      if (typeof name !== 'string' || !isRequestName(name)) {
        throw new PretextError(`unknown request '${String(name).slice(0, 100)}'`, { code: 'not-found', field: 'name' });
      }
      // Every payload is checked against its schema before anything runs (a 'bad-request'
      // naming the field); what reaches a handler has the contract's shape.
      const payload = validateRequest(name, req ?? undefined) as RequestOf<N>;
      const h = handlers[name] as (r: RequestOf<N>) => Promise<ResponseOf<N>>;
      try {
        return await h(payload);
      } catch (err) {
        throw internalError(name, err);
      }
    },
    onEvents(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    async close() {
      ctx.work.close();
      await ctx.jobs.close();
      if (timer) clearTimeout(timer);
      flush();
    },
  };
}
