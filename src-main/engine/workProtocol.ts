/** Messages between the engine and its work process (evaluations, maps, exports, reports; several at once, by id). */
import type { ApiError, EmbeddingFormat, EncoderFormat, LabelFraction, ProjectionAlgo, Split } from '../api/contract';

export interface WorkArgs {
  knn: { runId: string; k?: number; temperature?: number };
  probe: { runId: string; labelFraction?: LabelFraction; seed?: number };
  diagnostics: { runId: string };
  project: { runId: string; algo: ProjectionAlgo; split: Split; seed?: number };
  exportEncoder: { runId: string; format: EncoderFormat; out?: string };
  exportEmbeddings: { runId: string; format: EmbeddingFormat; out?: string; split?: Split | 'all' };
  report: { runIds: string[]; out?: string };
  exportRecipe: { runId: string; withData: boolean };
  importResults: { dir: string; datasetId: string; source?: string };
  neighbours: { runIds: string[]; query: { index: number } | { file: string }; k: number };
}

export type WorkKind = keyof WorkArgs;

export type WorkIn = { type: 'work'; id: number; workspaceDir: string; backend?: string; kind: WorkKind; args: WorkArgs[WorkKind] } | { type: 'cancel'; id: number };

export type ProgressCall =
  | { call: 'start'; label: string; total: number; unit?: string }
  | { call: 'update'; done: number; extra?: string }
  | { call: 'finish'; extra?: string }
  | { call: 'log'; message: string };

export type WorkOut = ({ type: 'progress'; id: number } & ProgressCall) | { type: 'done'; id: number; result: unknown } | { type: 'error'; id: number; error: ApiError };
