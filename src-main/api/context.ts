import type { ApiEvents, EventName, RequestName, RequestOf, ResponseOf } from './contract';
import type { BackendInfo } from '../ml/backend';
import type { JobQueue } from '../engine/jobs';
import type { DataRoots } from './pathAccess';
import type { WorkProcess } from '../engine/workRunner';
import type { Workspace } from '../store/workspace';

export interface ServiceOptions {
  /** Forced backend (--backend / PRETEXT_BACKEND). */
  backend?: string;
  /** The training child's entry (default: engine/trainChild.mjs next to the sources). */
  trainChildPath?: string;
  /** The evaluation/export child's entry (default: engine/workChild.mjs next to the sources). */
  workChildPath?: string;
  /** App version for app.info. */
  version?: string;
  /** Where the engine stands, for app.info (the host overrides it). */
  engineState?: () => ApiEvents['engine.status'];
  /**
   * Where requests may read server-side paths (datasets.import, datasets.stage), besides the
   * workspace's upload and staging folders: 'any' in the desktop app (the user picked them in
   * a native dialog), the `--data-root` folders of `pretext serve`, none by default (a
   * browser brings data by upload). See api/pathAccess.ts.
   */
  dataRoots?: DataRoots;
}

/** What a domain's handlers share. */
export interface ServiceContext {
  ws: Workspace;
  jobs: JobQueue;
  /** The warm process that runs evaluations, maps, exports and reports. */
  work: WorkProcess;
  opts: ServiceOptions;
  emit<E extends EventName>(event: E, payload: ApiEvents[E]): void;
  /** The engine's backend, initialised on first use. */
  backend(): Promise<BackendInfo>;
  /** Training jobs by run id (queued or running). */
  training: Map<string, { jobId: string; totalSteps: number | null; pid: number | null }>;
}

export type Handler<N extends RequestName> = (req: RequestOf<N>) => Promise<ResponseOf<N>>;
export type Handlers<N extends RequestName> = { [K in N]: Handler<K> };
