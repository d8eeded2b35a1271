/**
 * Plain shapes that every layer shares: the store persists them, the tasks produce them and
 * the API contract carries them. Types only.
 */

export type Split = 'train' | 'test';

export type RunStatus = 'queued' | 'running' | 'completed' | 'failed' | 'cancelled' | 'interrupted';

/**
 * The training options a user sets (the CLI's flags, the API's TrainRequest); an unset one
 * takes the method's default.
 */
export interface TrainOptions {
  backbone?: string;
  width?: number;
  epochs?: number;
  batch?: number;
  seed?: number;
  optimizer?: string;
  lr?: number;
  weightDecay?: number;
  momentum?: number;
  warmupEpochs?: number;
  /** LARS: clip each layer's lr at the scheduled lr (solo-learn's clip_lr). */
  clipLr?: boolean;
  preset?: string;
}

/**
 * What a training request will really run, per method, before anything is stored: the values a
 * rule changed (a backend's default batch, the 10 % warm-up rule, the preset for the image
 * size) with the reason, or why the method cannot train on this dataset.
 */
export interface TrainPreview {
  method: string;
  /** The resolved run config (what runs.create would store); null when it cannot train. */
  config: Record<string, unknown> | null;
  /** One line per value a rule set or changed, e.g. 'batch 128: the wasm backend's default (method default 256)'. */
  notes: string[];
  /** Why this method cannot train with these options on this dataset; null when it can. */
  error: string | null;
  /** The request field the error is about ('batch', 'params.simclr.temperature'). */
  field: string | null;
}

/** What the store keeps of a training run and the API shows of it (RunRow and RunInfo both extend it). */
export interface RunRecord {
  id: string;
  datasetId: string;
  method: string;
  backend: string | null;
  backendInfo: Record<string, unknown>;
  /** What was built: backboneParams, trainableParams (backbone + heads), featureDim; empty until training starts. */
  modelInfo: Record<string, number>;
  status: RunStatus;
  epochsDone: number;
  stepsDone: number;
  trainSeconds: number;
  createdAt: string;
  startedAt: string | null;
  finishedAt: string | null;
  error: string | null;
}

/** One logged value of a training run. */
export interface MetricPoint {
  name: string;
  step: number;
  epoch: number;
  value: number;
  /** Seconds of training time at this point (the wall-clock axis of the curves). */
  wall: number;
}

export type ProjectionAlgo = 'pca' | 'tsne' | 'umap';
export type EncoderFormat = 'tfjs' | 'onnx';
export type EmbeddingFormat = 'csv' | 'npy';
export type LabelFraction = 0.01 | 0.1 | 1;

export interface Evaluation {
  id: string;
  runId: string;
  epoch: number;
  kind: 'knn' | 'probe';
  params: Record<string, unknown>;
  /**
   * top1, top5 (probe), perClass: {className: accuracy}, confusion: Confusion, seconds, ...
   * (rows stored before confusion matrices were kept have none). params.baseline 'random'
   * marks the random-init baseline of the run (epoch 0): never the run's own result.
   */
  result: Record<string, unknown>;
  createdAt: string;
}

export interface Diagnostics {
  runId: string;
  epoch: number;
  alignment: number;
  uniformity: number;
  effectiveRank: number;
  dim: number;
  /** Std of each dimension of the L2-normalised features. */
  perDimStd: number[];
}

export interface Projection {
  runId: string;
  epoch: number;
  split: Split;
  algo: ProjectionAlgo;
  /** Point i is dataset item `indices[i]`; its coordinates are (x[i], y[i]). */
  indices: number[];
  x: number[];
  y: number[];
  labels: (number | null)[];
  classes: string[];
  /** trustworthiness (k), and whatever else the algorithm reports. */
  quality: Record<string, number>;
  seconds: number;
  createdAt: string;
}

/** What an export or report job finishes with. */
export interface WrittenFile {
  path: string;
  bytes: number;
  /** In a browser: a URL under /api/download that serves it. */
  downloadUrl?: string;
}

/** A confusion matrix of a kNN or probe evaluation: counts[true class][predicted class]. */
export interface Confusion {
  classes: string[];
  counts: number[][];
}

/** One image retrieved for a query (nearest-neighbour retrieval). */
export interface Neighbour {
  /** 1 = most similar. */
  rank: number;
  /** Dataset item index. */
  index: number;
  /** Cosine similarity of the backbone features, in [−1, 1]. */
  similarity: number;
  label: number | null;
  className: string | null;
  split: Split;
  /** PNG data URL (set by the API, not by the task). */
  thumb?: string;
}

/** A run's top-k neighbours of a query, and how many share the query's label. */
export interface RunNeighbours {
  runId: string;
  method: string;
  /** Completed epochs of the checkpoint whose features were searched. */
  epoch: number;
  neighbours: Neighbour[];
  /** Neighbours with the query's label; null when the query has none. */
  matches: number | null;
  /** matches / k; null when the query has no label. */
  agreement: number | null;
}

/** Nearest neighbours of one query image in several runs' embeddings of the same dataset. */
export interface NeighboursResult {
  datasetId: string;
  k: number;
  /** A dataset image (index) or an image file (index null, file name in `file`). */
  query: { index: number | null; file: string | null; label: number | null; className: string | null; split: Split | null; thumb?: string };
  runs: RunNeighbours[];
}

/** The result of a runs.import job (tasks/recipe/import.ts). */
export interface ImportResultsInfo {
  runId: string;
  epochs: number;
  steps: number;
  knnTop1: (number | null)[];
  processes: number;
  device: string;
}
