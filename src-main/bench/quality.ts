/**
 * `pretext bench quality`: does a recipe train to the same accuracy in Pretext as in an
 * independent PyTorch implementation of its reference? For each method and seed, trains the run
 * in Pretext (tasks/train.runTraining) and then the same resolved config in PyTorch
 * (src-main/bench/peer/torch_quality.py: solo-learn's semantics, torchvision/PIL views built
 * from the run's ViewSpecs, Debian's python3-torch) on the same images and split, and compares
 * kNN top-1 (the config's k and T) per epoch: mean ± std over seeds on each side, the gap, its
 * standard error and whether it is within max(0.5 pt, 2·SE) (issue 17).
 *
 * The runs live in a temporary workspace (deleted afterwards): the dataset (or its first
 * --limit train images, the test split whole) is copied there; --sample imports the bundled
 * Fashion-MNIST sample there. A report JSON is written to the workspace's bench/ folder.
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { parseArgs } from 'node:util';
import type { BenchContext } from './context';
import { runPeer, torchPython, writePeerConfig, writePeerData, type PeerResult } from './qualityPeer';
import { formatGapTable, gapStats, type GapStats } from './qualityStats';
import { CancelledError, PretextError, throwIfAborted } from '../core/errors';
import { silentProgress } from '../core/progress';
import { defaultThreads, initBackend } from '../ml/backend';
import type { RunConfig } from '../ml/train/config';
import { importSample } from '../tasks/import';
import { runTraining } from '../tasks/train';
import { dataFacts, resolveTrainConfigs } from '../tasks/trainConfig';
import { loadTrainData } from '../tasks/trainData';
import { classNames, commitDataset, datasetItems, getDataset, PIXELS_FILE, readPixels, resolveDataset, type DatasetRow } from '../store/datasets';
import { createRun, runMetrics } from '../store/runs';
import { Workspace } from '../store/workspace';

const SIX = ['simclr', 'moco', 'byol', 'simsiam', 'barlow', 'vicreg'];
const USAGE = `Usage: pretext bench quality (--dataset ID | --sample) [--methods ${SIX.join(',')}] [--seeds 0,1,2]
       [--epochs 2] [--limit N] [--backbone small] [--width 0.5] [--batch 128] [--threads N]
       [--peer-set KEY=VALUE]... [--no-torch] [--pretext-from REPORT.json] [--out FILE]`;

export interface QualityArgs {
  dataset?: string;
  sample: boolean;
  methods: string[];
  seeds: number[];
  epochs: number;
  limit?: number;
  backbone: string;
  width: number;
  batch: number;
  threads: number;
  peerSet: string[];
  torch: boolean;
  out?: string;
  /** A report of an earlier run of this bench with the same options: its Pretext numbers are reused (Pretext is deterministic for a seed). */
  pretextFrom?: string;
}

function usage(message: string): PretextError {
  return new PretextError(`bench quality: ${message}\n${USAGE}`, { field: 'usage' });
}

function ints(name: string, value: string, min: number): number[] {
  const xs = value.split(',').map((s) => Number(s.trim()));
  if (xs.length === 0 || !xs.every((n) => Number.isInteger(n) && n >= min)) throw usage(`--${name} must be integers ≥ ${min}, got '${value}'`);
  return xs;
}

/** Options that take a value (all strings here; parsed below), and the two switches. */
const VALUED = ['dataset', 'methods', 'seeds', 'epochs', 'limit', 'backbone', 'width', 'batch', 'threads', 'out', 'pretext-from'] as const;

interface RawArgs extends Partial<Record<(typeof VALUED)[number], string>> {
  sample: boolean;
  'no-torch': boolean;
  'peer-set'?: string[];
}

export function parseQualityArgs(args: string[]): QualityArgs {
  let v: RawArgs;
  try {
    const options = Object.fromEntries(VALUED.map((name) => [name, { type: 'string' as const }]));
    v = parseArgs({
      args,
      strict: true,
      options: { ...options, sample: { type: 'boolean', default: false }, 'no-torch': { type: 'boolean', default: false }, 'peer-set': { type: 'string', multiple: true } },
    }).values as RawArgs;
  } catch (err) {
    throw usage((err as Error).message);
  }
  if (Boolean(v.dataset) === v.sample) throw usage('give exactly one of --dataset ID and --sample');
  const methods = (v.methods ?? SIX.join(',')).split(',').map((s) => s.trim());
  for (const m of methods) if (!SIX.includes(m)) throw usage(`unknown method '${m}' (the PyTorch peer has ${SIX.join(', ')})`);
  const width = Number(v.width ?? 0.5);
  if (!(width > 0)) throw usage(`--width must be > 0, got '${v.width}'`);
  for (const kv of v['peer-set'] ?? []) if (!/^\w+=.+$/.test(kv)) throw usage(`--peer-set takes KEY=VALUE, got '${kv}'`);
  return {
    ...(v.dataset ? { dataset: v.dataset } : {}),
    sample: v.sample,
    methods,
    seeds: ints('seeds', v.seeds ?? '0,1,2', 0),
    epochs: ints('epochs', v.epochs ?? '2', 1)[0]!,
    ...(v.limit ? { limit: ints('limit', v.limit, 2)[0]! } : {}),
    backbone: v.backbone ?? 'small',
    width,
    batch: ints('batch', v.batch ?? '128', 2)[0]!,
    threads: ints('threads', v.threads ?? String(defaultThreads()), 1)[0]!,
    peerSet: v['peer-set'] ?? [],
    torch: !v['no-torch'],
    ...(v.out ? { out: v.out } : {}),
    ...(v['pretext-from'] ? { pretextFrom: v['pretext-from'] } : {}),
  };
}

/** The dataset (or its first `limit` train images and the whole test split) copied into `ws`. */
function copyDataset(from: Workspace, row: DatasetRow, ws: Workspace, limit: number | undefined): DatasetRow {
  const items = datasetItems(from, row.id);
  const train = items.filter((it) => it.split === 'train');
  const keep = [...train.slice(0, limit ?? train.length), ...items.filter((it) => it.split !== 'train')];
  const per = row.imageSize * row.imageSize * row.channels;
  const src = readPixels(from, row);
  const pixels = new Uint8Array(keep.length * per);
  keep.forEach((it, i) => pixels.set(src.subarray(it.idx * per, (it.idx + 1) * per), i * per));
  const dir = ws.makeTmp('quality');
  writeFileSync(join(dir, PIXELS_FILE), pixels);
  return commitDataset(
    ws,
    {
      name: `${row.name}${limit ? `-first${limit}` : ''}`,
      source: row.source,
      sourceKind: row.sourceKind,
      fingerprint: `${row.fingerprint}-quality-${limit ?? 'all'}`,
      imageSize: row.imageSize,
      channels: row.channels,
      classNames: classNames(from, row.id),
      items: keep.map(({ sourcePath, label, split, contentHash }) => ({ sourcePath, label, split, contentHash })),
      failures: [],
    },
    dir,
  );
}

async function prepareDataset(a: QualityArgs, ws: Workspace, ctx: BenchContext & { workspace?: () => Workspace }): Promise<DatasetRow> {
  if (a.sample) {
    const imported = await importSample(ws, 'fashion-mnist', false, {}, silentProgress, ctx.signal);
    const row = getDataset(ws, imported.id)!;
    return a.limit ? copyDataset(ws, row, ws, a.limit) : row;
  }
  const user = ctx.workspace ? ctx.workspace() : Workspace.open(ctx.workspaceDir);
  const row = resolveDataset(user, a.dataset!);
  if (!row) throw new PretextError(`bench quality: no dataset '${a.dataset}' in ${ctx.workspaceDir}`, { field: 'dataset' });
  return copyDataset(user, row, ws, a.limit);
}

export interface QualityRun {
  method: string;
  seed: number;
  /** kNN top-1 (0..1) after each epoch. */
  pretext: { knn: number[]; seconds: number };
  torch: { knn: number[]; seconds: number; recipe: Record<string, unknown> } | null;
}

/** Per epoch, per method: the gap statistics in points (runs with both sides only). */
export function summarize(runs: QualityRun[], methods: string[], epochs: number): { epoch: number; method: string; stats: GapStats }[] {
  const out: { epoch: number; method: string; stats: GapStats }[] = [];
  for (let e = 0; e < epochs; e++) {
    for (const method of methods) {
      const both = runs.filter((r) => r.method === method && r.torch && r.pretext.knn[e] !== undefined && r.torch.knn[e] !== undefined);
      if (both.length === 0) continue;
      out.push({ epoch: e + 1, method, stats: gapStats(both.map((r) => 100 * r.pretext.knn[e]!), both.map((r) => 100 * r.torch!.knn[e]!)) });
    }
  }
  return out;
}

/** Trains the run in Pretext; kNN top-1 after each epoch. */
async function trainPretext(ws: Workspace, row: DatasetRow, cfg: RunConfig, ctx: BenchContext, onStep: (step: number) => void): Promise<QualityRun['pretext']> {
  const id = createRun(ws, row.id, cfg.method, cfg).id;
  const t0 = performance.now();
  const r = await runTraining(ws, id, { signal: ctx.signal, onStep: (e) => onStep(e.step + 1) });
  if (r.status !== 'completed') throw new CancelledError();
  return { knn: runMetrics(ws, id, 'knn_top1').map((m) => m.value), seconds: (performance.now() - t0) / 1000 };
}

/**
 * Pretext's numbers from an earlier report of this bench, by method and seed, when it was run on
 * the same data and recipe (dataset or sample, limit, epochs, batch, backbone, width).
 */
function earlierPretext(a: QualityArgs): Map<string, QualityRun['pretext']> {
  const found = new Map<string, QualityRun['pretext']>();
  if (!a.pretextFrom) return found;
  const report = JSON.parse(readFileSync(a.pretextFrom, 'utf8')) as { args: QualityArgs; runs: QualityRun[] };
  const keys = ['dataset', 'sample', 'limit', 'epochs', 'batch', 'backbone', 'width'] as const;
  for (const k of keys) {
    if (report.args[k] !== a[k]) throw usage(`--pretext-from ${a.pretextFrom} was run with --${k} ${String(report.args[k])}, not ${String(a[k])}`);
  }
  for (const r of report.runs) found.set(`${r.method}/${r.seed}`, r.pretext);
  return found;
}

export async function run(args: string[], ctx: BenchContext): Promise<unknown> {
  const a = parseQualityArgs(args);
  const python = a.torch ? torchPython() : { reason: '--no-torch' };
  if ('reason' in python && a.torch) throw new PretextError(`bench quality: ${python.reason}`);
  const backend = await initBackend({ ...(ctx.backend ? { prefer: ctx.backend } : {}), threads: a.threads });
  ctx.progress.log(`backend ${backend.name} (${backend.device}), ${a.threads} threads; PyTorch: ${'python' in python ? python.python : python.reason}`);
  const dir = mkdtempSync(join(tmpdir(), 'pretext-bench-quality-'));
  const ws = Workspace.open(dir);
  const runs: QualityRun[] = [];
  const earlier = earlierPretext(a);
  try {
    const row = await prepareDataset(a, ws, ctx);
    const data = loadTrainData(ws, row);
    const dataJson = writePeerData(dir, data);
    const spe = Math.floor(data.trainIdx.length / a.batch);
    if (spe < 1) throw usage(`--batch ${a.batch} is larger than the ${data.trainIdx.length} train images`);
    const perRun = a.epochs * spe;
    const total = a.seeds.length * a.methods.length * perRun * (a.torch ? 2 : 1);
    ctx.progress.log(`dataset ${row.name}: ${data.trainIdx.length} train, ${data.testIdx.length} test, ${row.imageSize} px; ${a.methods.length} methods × ${a.seeds.length} seeds × ${a.epochs} epochs (${spe} steps each)`);
    ctx.progress.start('bench quality', total, 'steps');
    let done = 0;
    for (const seed of a.seeds) {
      for (const method of a.methods) {
        throwIfAborted(ctx.signal);
        // Resolved as `pretext train` resolves it (a queue capped at the train split, the preset for the image size).
        const cfg = resolveTrainConfigs({ methods: [method], epochs: a.epochs, batch: a.batch, backbone: a.backbone, width: a.width, seed }, dataFacts(data), backend.name)[0]!;
        const pretext = earlier.get(`${method}/${seed}`) ?? (await trainPretext(ws, row, cfg, ctx, (step) => ctx.progress.update(done + step, `pretext ${method} seed ${seed}`)));
        done += perRun;
        let torch: QualityRun['torch'] = null;
        if ('python' in python) {
          const t1 = performance.now();
          const peer: PeerResult = await runPeer({
            python: python.python,
            pixels: ws.path(row.pixelsFile),
            data: dataJson,
            config: writePeerConfig(dir, cfg, row.imageSize),
            set: a.peerSet,
            threads: a.threads,
            signal: ctx.signal,
            onStep: (s) => ctx.progress.update(done + s, `pytorch ${method} seed ${seed}`),
          });
          torch = { knn: peer.epochs.map((e) => e.knn_top1), seconds: (performance.now() - t1) / 1000, recipe: peer.recipe };
          done += perRun;
        }
        runs.push({ method, seed, pretext, torch });
        const fmt = (xs: number[]) => xs.map((x) => (100 * x).toFixed(2)).join(' / ');
        ctx.progress.log(`${method} seed ${seed}: Pretext ${fmt(pretext.knn)} %${torch ? `, PyTorch ${fmt(torch.knn)} %` : ''} (kNN top-1 per epoch)`);
      }
    }
    ctx.progress.finish();
  } finally {
    ws.close();
    rmSync(dir, { recursive: true, force: true });
  }
  const table = summarize(runs, a.methods, a.epochs);
  const lines: string[] = [];
  for (let e = 1; e <= a.epochs; e++) {
    lines.push(`kNN top-1 (%) after epoch ${e}, mean ± std over seeds ${a.seeds.join(',')}:`, formatGapTable(table.filter((t) => t.epoch === e)), '');
  }
  ctx.print(lines.join('\n').trimEnd());
  const report = { date: new Date().toISOString(), args: a, backend: backend.name, runs, table };
  const out = a.out ?? join(ctx.workspaceDir, 'bench', `quality-${report.date.replace(/[:.]/g, '-')}.json`);
  mkdirSync(dirname(out), { recursive: true });
  writeFileSync(out, `${JSON.stringify(report, null, 2)}\n`);
  ctx.progress.log(`wrote ${out}`);
  return { ...report, out };
}
