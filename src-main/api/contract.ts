/**
 * The one API contract between the workbench UI and the engine: requests (with their
 * responses) and events. Types only, no runtime code: the renderer, the preload, the Electron
 * main process, the HTTP/WebSocket server and the engine all import it. Two transports carry
 * it (Electron IPC, and HTTP + WebSocket for `pretext serve`); the UI code is the same.
 *
 * Everything is plain JSON: no tensors, no typed arrays, no class instances, no Dates (ISO
 * strings). Images travel as `data:image/png;base64,...` URLs. Long work (import, training,
 * evaluation, projection, export, report) answers at once with a job id and reports through
 * `job.progress` / `job.finished` events; its results are written to the workspace, so the CLI
 * and the UI show the same numbers.
 *
 * The request payloads are derived from their schemas (api/schema/requests.ts: each field's
 * type, range, default and doc), which the service checks every request against.
 */
import type { ErrorCode } from '../core/errors';
import type { RequestInput } from './schema/requests';
import type {
  Diagnostics,
  EmbeddingFormat,
  EncoderFormat,
  Evaluation,
  LabelFraction,
  MetricPoint,
  Projection,
  ProjectionAlgo,
  RunRecord,
  RunStatus,
  Split,
  TrainOptions,
  TrainPreview,
  WrittenFile,
} from '../core/types';

/** Every shared result type (core/types) is part of the contract. */
export type * from '../core/types';
export type JobKind = 'import' | 'train' | 'embed' | 'knn' | 'probe' | 'project' | 'export' | 'report' | 'neighbours';
export type JobStatus = 'queued' | 'running' | 'completed' | 'failed' | 'cancelled';

// ---------------------------------------------------------------- app and engine

export interface BackendInfo {
  name: string;
  version: string;
  device: string;
  threads?: number;
  skipped: { name: string; reason: string }[];
}

export interface AppInfo {
  version: string;
  workspaceDir: string;
  /** 'ipc' in Electron, 'http' in a browser against `pretext serve`. Set by the client. */
  transport: 'ipc' | 'http';
  backend: BackendInfo | null;
  /** Where the engine stands: it restarts itself after a crash. */
  engine: EngineStatus;
}

export interface EngineStatus {
  state: 'starting' | 'ready' | 'restarting' | 'down';
  /** Why it is not ready (the crash's exit code or signal, the error). */
  reason?: string;
  pid?: number;
}

// ---------------------------------------------------------------- datasets

export interface DatasetInfo {
  id: string;
  name: string;
  source: string;
  sourceKind: string;
  imageSize: number;
  channels: 1 | 3;
  numItems: number;
  createdAt: string;
  classes: string[];
  splits: Record<Split, number>;
  /** Items per class name and split; unlabelled items under '(unlabelled)'. */
  perClass: Record<string, Record<Split, number>>;
  failed: { file: string; reason: string }[];
}

export interface DatasetItem {
  index: number;
  split: Split;
  label: number | null;
  className: string | null;
  sourcePath: string;
  /** PNG data URL of the stored (decoded, resized) image. */
  thumb: string;
}

/** A folder, zip, tar, CIFAR binary, IDX or CSV on the engine's machine (`path`). In a browser
 *  the client first uploads the files (POST /api/upload) and passes the path it got back. */
export type ImportRequest = RequestInput<'datasets.import'>;

// ---------------------------------------------------------------- augmentations

export interface ViewSpecJson {
  [key: string]: unknown;
}

export interface PresetInfo {
  name: string;
  summary: string;
  /** The per-view pipelines (editable in the Augment view and sent back in `spec`). */
  views: ViewSpecJson[];
}

/** A preset name, or a method name (its default preset), or edited per-view pipelines (`views`,
 *  overriding the preset's); `count` images, `seed`, `split`. */
export type AugmentPreviewRequest = RequestInput<'augment.preview'>;

/** Colour jitter as it ran on one image: its ops in the order they ran, each factor (null: off). */
export interface AugmentJitter {
  order: ('brightness' | 'contrast' | 'saturation' | 'hue')[];
  brightness: number | null;
  contrast: number | null;
  saturation: number | null;
  /** The hue shift (a fraction of the colour wheel). */
  hue: number | null;
}

/** Which operations fired on one view of one image, with the parameters the pipeline sampled. */
export interface AugmentOps {
  /** The crop box in the original's pixels; null when the view has no crop step. */
  crop: { top: number; left: number; height: number; width: number } | null;
  flip: boolean;
  /** null: jitter not applied to this image. */
  jitter: AugmentJitter | null;
  grayscale: boolean;
  /** The blur's sigma in pixels; null: not blurred. */
  blurSigma: number | null;
  solarize: boolean;
  /** A task view (rotation, jigsaw, context): the target drawn for the image and a caption per piece, in the picture's order. */
  task?: { target: string; pieces: string[] };
}

export interface AugmentPreview {
  preset: string;
  views: ViewSpecJson[];
  seed: number;
  /** One row per image: the original, then one image per view and what fired on each (`ops[j]` for `views[j]`). */
  rows: { index: number; label: string | null; original: string; views: string[]; ops: AugmentOps[]; masked?: string }[];
  /** A masked-image-modelling method's masks (mae, data2vec): each row's `masked` is its first view with the removed patches, drawn from `seed`. */
  masked?: { caption: string };
  millis: number;
}

// ---------------------------------------------------------------- methods and runs

export type ParamValue = number | string | boolean;

export interface MethodInfo {
  name: string;
  summary: string;
  /** The paper and code it follows, whole (the UI's tooltip). */
  paper?: string;
  /** The paper's short citation, "Chen et al. 2020" (absent for the baselines). */
  cite?: string;
  params: Record<string, ParamValue>;
  /** Training defaults (optimizer, lr per 256, weight decay, momentum, batch, epochs...). */
  train: Record<string, ParamValue>;
  preset: string;
  /** Trains only on a ViT backbone (masked image modelling: mae, data2vec). */
  requiresViT?: boolean;
}

/** Several methods make a comparison: one run each, same data, same seed. `params`: method
 *  options by method name, e.g. { simclr: { temperature: 0.2 } }. */
export type TrainRequest = RequestInput<'runs.create'>;

/** A run as the store keeps it (core/types RunRecord), with its config as JSON and what the UI shows besides. */
export interface RunInfo extends RunRecord {
  datasetName: string;
  config: Record<string, unknown>;
  epochs: number;
  totalSteps: number | null;
  /** The latest value of each metric (loss, lr, views_per_s, knn_top1, feature_std, ...). */
  latest: Record<string, number>;
  /** Job id while it is queued or training. */
  jobId: string | null;
  /** The comparison it was started in (its methods × seeds × sweep values share it); null for older runs. */
  groupId: string | null;
  /** The swept option and the value this run took; null outside a sweep. */
  sweep: { key: string; value: ParamValue } | null;
  tags: string[];
  notes: string;
  /** Why "Run on a cluster…" (export.recipe) cannot export this run's method or backbone; null when it can. */
  recipeUnsupported: string | null;
  /** Where an imported run (runs.import) trained; null for a run trained here. */
  external: ExternalInfo | null;
}

/** What runs.import stored about a run trained elsewhere by an exported recipe. */
export interface ExternalInfo {
  /** The host train.py ran on (its backbone.safetensors' metadata), 'unknown' when it did not say. */
  where: string;
  /** torchrun's processes (world size) and the device of each. */
  processes: number;
  device: string;
  /** Training wall time there, in seconds. */
  wallSeconds: number;
  /** The folder it was imported from (an uploaded folder: its name). */
  importedFrom: string;
}

// ---------------------------------------------------------------- evaluation

export type KnnRequest = RequestInput<'eval.knn'>;

export type ProbeRequest = RequestInput<'eval.probe'>;

export type ProjectRequest = RequestInput<'projections.create'>;

// ---------------------------------------------------------------- export and report

export type ExportEncoderRequest = RequestInput<'export.encoder'>;

export type ExportEmbeddingsRequest = RequestInput<'export.embeddings'>;

export type ReportRequest = RequestInput<'report.create'>;

// ---------------------------------------------------------------- retrieval

/** The query is a dataset image (`index`) or an image file (`path`; uploaded first in a
 *  browser); `k` neighbours in each run's embeddings. The job's result is a NeighboursResult
 *  with a PNG thumbnail on the query (an index) and on every neighbour. */
export type NeighboursRequest = RequestInput<'neighbours.query'>;

// ---------------------------------------------------------------- jobs

export interface JobInfo {
  id: string;
  kind: JobKind;
  label: string;
  status: JobStatus;
  runId?: string;
  datasetId?: string;
  done: number;
  total: number;
  unit: string;
  etaSeconds: number | null;
  message: string;
  startedAt: string | null;
  finishedAt: string | null;
  error: string | null;
  result?: unknown;
}

// ---------------------------------------------------------------- the request map

/** Every request: name → [request, response]. */
export interface ApiRequests {
  'app.info': [void, AppInfo];
  'backends.list': [void, { name: string; available: boolean; reason?: string; device?: string }[]];

  'datasets.list': [void, DatasetInfo[]];
  'datasets.get': [RequestInput<'datasets.get'>, DatasetInfo];
  'datasets.items': [RequestInput<'datasets.items'>, { total: number; items: DatasetItem[] }];
  'datasets.import': [ImportRequest, { jobId: string }];
  'datasets.importSample': [RequestInput<'datasets.importSample'>, { jobId: string }];
  /** Several loose files on the engine's machine (a multi-file drop in Electron) copied into one
   *  fresh folder under the workspace's tmp, keeping their names: the path to import. */
  'datasets.stage': [RequestInput<'datasets.stage'>, { path: string }];
  'datasets.delete': [RequestInput<'datasets.delete'>, { deleted: boolean }];

  'augment.presets': [void, PresetInfo[]];
  'augment.preview': [AugmentPreviewRequest, AugmentPreview];

  'methods.list': [void, MethodInfo[]];
  /** One run per method × seed × sweep value, all of one group (`groupId`). */
  'runs.create': [TrainRequest, { runIds: string[]; jobIds: string[]; groupId: string }];
  /** What runs.create would run for this request, per method: the resolved config and why a rule set a value. */
  'runs.preview': [TrainRequest, TrainPreview[]];
  'runs.list': [{ datasetId?: string } | void, RunInfo[]];
  'runs.get': [RequestInput<'runs.get'>, RunInfo];
  'runs.metrics': [RequestInput<'runs.metrics'>, MetricPoint[]];
  'runs.cancel': [RequestInput<'runs.cancel'>, { cancelled: boolean }];
  'runs.resume': [RequestInput<'runs.resume'>, { jobId: string }];
  'runs.delete': [RequestInput<'runs.delete'>, { deleted: boolean }];
  /** Replaces a run's tags and/or notes; the run as it is now. */
  'runs.label': [RequestInput<'runs.label'>, RunInfo];
  /** An exported recipe's results (train.py's --out folder: uploaded first in a browser) as a new
   *  run marked external; the job's result is an ImportResultsInfo. */
  'runs.import': [RequestInput<'runs.import'>, { jobId: string }];

  'eval.knn': [KnnRequest, { jobId: string }];
  'eval.probe': [ProbeRequest, { jobId: string }];
  'eval.list': [RequestInput<'eval.list'>, Evaluation[]];
  'eval.diagnostics': [RequestInput<'eval.diagnostics'>, Diagnostics];

  'projections.create': [ProjectRequest, { jobId: string }];
  'projections.get': [RequestInput<'projections.get'>, Projection | null];

  'export.encoder': [ExportEncoderRequest, { jobId: string }];
  'export.embeddings': [ExportEmbeddingsRequest, { jobId: string }];
  /** The run's recipe as a PyTorch DDP program, zipped; the job's result is a WrittenFile (the zip). */
  'export.recipe': [RequestInput<'export.recipe'>, { jobId: string }];
  'report.create': [ReportRequest, { jobId: string }];

  'neighbours.query': [NeighboursRequest, { jobId: string }];
  /** MAE's original / masked / reconstructed pictures of a few test images (PNG data URLs). */
  'runs.reconstruct': [RequestInput<'runs.reconstruct'>, ReconstructView];

  'jobs.list': [void, JobInfo[]];
  'jobs.cancel': [RequestInput<'jobs.cancel'>, { cancelled: boolean }];
}

/** An MAE run's reconstructions (tasks/reconstruct.ts), the pictures as PNG data URLs. */
export interface ReconstructView {
  runId: string;
  epoch: number;
  maskRatio: number;
  images: { index: number; original: string; masked: string; reconstruction: string }[];
}

export type RequestName = keyof ApiRequests;
export type RequestOf<N extends RequestName> = ApiRequests[N][0];
export type ResponseOf<N extends RequestName> = ApiRequests[N][1];

// ---------------------------------------------------------------- the event map

/** Every event: name → payload. Sent in throttled batches (at most a few per second). */
export interface ApiEvents {
  'job.progress': JobInfo;
  'job.finished': JobInfo;
  'run.status': { runId: string; status: RunStatus; epochsDone: number; error: string | null };
  /** New metric points of a training run, in step order. */
  'run.metrics': { runId: string; points: MetricPoint[] };
  'datasets.changed': { datasetId: string };
  'engine.status': EngineStatus;
}

export type EventName = keyof ApiEvents;

/** An error as it crosses a transport: the message names the input and the reason. */
export interface ApiError {
  message: string;
  /** 'bad-request' (bad input), 'not-found', 'cancelled', 'engine-down', 'internal'. */
  code: ErrorCode;
  /** The request field at fault, when one is. */
  field?: string;
}

/** What a client calls; both transports implement it. */
export interface ApiClient {
  request<N extends RequestName>(name: N, req: RequestOf<N>): Promise<ResponseOf<N>>;
  /** Returns the unsubscribe function. */
  on<E extends EventName>(event: E, listener: (payload: ApiEvents[E]) => void): () => void;
}
