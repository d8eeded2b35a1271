/** Messages between the engine process and its host (Electron main, or `pretext serve`). */
import type { ApiError, RequestName } from '../api/contract';
import type { EventBatch } from '../api/bridge';

export type EngineIn = { type: 'request'; id: number; name: RequestName; req: unknown } | { type: 'shutdown' };

export type EngineOut =
  | { type: 'ready'; pid: number; interrupted: string[] }
  | { type: 'response'; id: number; ok: true; res: unknown }
  | { type: 'response'; id: number; ok: false; error: ApiError }
  | { type: 'events'; batch: EventBatch }
  | { type: 'fatal'; message: string };

/** Environment the host gives the engine process. */
export const ENGINE_ENV = {
  workspace: 'PRETEXT_WORKSPACE',
  backend: 'PRETEXT_BACKEND',
  trainChild: 'PRETEXT_TRAIN_CHILD',
  workChild: 'PRETEXT_WORK_CHILD',
  /** ServiceOptions.dataRoots as JSON: "any", or a list of folders (none when unset). */
  dataRoots: 'PRETEXT_DATA_ROOTS',
} as const;
