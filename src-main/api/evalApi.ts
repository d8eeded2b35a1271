/**
 * eval.*, projections.*, export.*, report.create: each runs in the engine's work process
 * (engine/workChild.ts) so the engine keeps answering while it computes; results land in the
 * workspace, where the quick reads (eval.list, projections.get) find them.
 */
import type { Diagnostics, ProjectionAlgo, Split } from './contract';
import type { JobCtl } from '../engine/jobs';
import type { WorkArgs, WorkKind } from '../engine/workProtocol';
import { silentProgress } from '../core/progress';
import { storedDiagnostics } from '../tasks/diagnostics';
import { checkpointEpoch } from '../tasks/encoder';
import { getProjection } from '../tasks/project';
import { listEvaluations } from '../store/evaluations';
import { getRun } from '../store/runs';
import type { Handlers, ServiceContext } from './context';
import { notFound, PretextError } from '../core/errors';
import { checkOutput } from './pathAccess';

type Names =
  | 'eval.knn' | 'eval.probe' | 'eval.list' | 'eval.diagnostics'
  | 'projections.create' | 'projections.get'
  | 'export.encoder' | 'export.embeddings' | 'report.create';

const ALGOS: ProjectionAlgo[] = ['pca', 'tsne', 'umap'];
const FRACTIONS = [0.01, 0.1, 1];

export function evalHandlers(ctx: ServiceContext): Handlers<Names> {
  const { ws } = ctx;
  const run = (id: string) => {
    if (typeof id !== 'string' || !getRun(ws, id)) throw notFound(`run '${String(id)}'`);
  };
  const inChild = <K extends WorkKind>(kind: K, args: WorkArgs[K], ctl: JobCtl) => ctx.work.run(kind, args, ctl);
  const job = <K extends WorkKind>(jobKind: 'knn' | 'probe' | 'project' | 'export' | 'report', label: string, runId: string | undefined, kind: K, args: WorkArgs[K]) => ({
    jobId: ctx.jobs.submit({ kind: jobKind, label, ...(runId ? { runId } : {}) }, (ctl) => inChild(kind, args, ctl)).id,
  });
  // Over the API (both transports) an output goes inside the workspace's exports folders: the
  // browser downloads it, the desktop app copies it where the user says in a Save dialog.
  const output = (out: string | undefined) => checkOutput(out, ws.dir);
  const split = (s: Split | undefined): Split => {
    if (s !== undefined && s !== 'train' && s !== 'test') throw new PretextError(`split '${String(s)}': must be train or test`);
    return s ?? 'test';
  };
  return {
    'eval.knn': async (req) => {
      run(req.runId);
      return job('knn', `kNN ${req.runId}`, req.runId, 'knn', { runId: req.runId, k: req.k, temperature: req.temperature });
    },
    'eval.probe': async (req) => {
      run(req.runId);
      if (req.labelFraction !== undefined && !FRACTIONS.includes(req.labelFraction)) {
        throw new PretextError(`labelFraction ${String(req.labelFraction)}: must be one of ${FRACTIONS.join(', ')}`);
      }
      return job('probe', `linear probe ${req.runId}`, req.runId, 'probe', { runId: req.runId, labelFraction: req.labelFraction, seed: req.seed });
    },
    'eval.list': async ({ runIds }) => {
      if (!Array.isArray(runIds)) throw new PretextError('runIds: a list of run ids is required');
      return listEvaluations(ws, runIds);
    },
    'eval.diagnostics': async ({ runId }) => {
      run(runId);
      // The stored diagnostics of the latest checkpoint, else computed now (and stored).
      // (Evaluations count completed epochs; see checkpointEpoch.)
      const epoch = checkpointEpoch(ws, runId);
      const stored = epoch === undefined ? undefined : storedDiagnostics(ws, runId, epoch);
      if (stored) return stored;
      return (await inChild('diagnostics', { runId }, { signal: new AbortController().signal, progress: silentProgress })) as Diagnostics;
    },
    'projections.create': async (req) => {
      run(req.runId);
      if (!ALGOS.includes(req.algo)) throw new PretextError(`algo '${String(req.algo)}': must be one of ${ALGOS.join(', ')}`);
      return job('project', `${req.algo} ${req.runId}`, req.runId, 'project', { runId: req.runId, algo: req.algo, split: split(req.split), seed: req.seed });
    },
    'projections.get': async (req) => {
      run(req.runId);
      return getProjection(ws, req.runId, req.algo, split(req.split));
    },
    'export.encoder': async (req) => {
      const out = output(req.out);
      run(req.runId);
      if (req.format !== 'tfjs' && req.format !== 'onnx') throw new PretextError(`format '${String(req.format)}': must be tfjs or onnx`);
      return job('export', `export ${req.format} ${req.runId}`, req.runId, 'exportEncoder', { runId: req.runId, format: req.format, out });
    },
    'export.embeddings': async (req) => {
      const out = output(req.out);
      run(req.runId);
      if (req.format !== 'csv' && req.format !== 'npy') throw new PretextError(`format '${String(req.format)}': must be csv or npy`);
      const rows = req.split === undefined || req.split === 'all' ? req.split : split(req.split);
      return job('export', `export embeddings ${req.runId}`, req.runId, 'exportEmbeddings', { runId: req.runId, format: req.format, out, split: rows });
    },
    'report.create': async (req) => {
      const out = output(req.out);
      if (!Array.isArray(req.runIds) || req.runIds.length === 0) throw new PretextError('runIds: pick at least one run');
      req.runIds.forEach(run);
      return job('report', `report of ${req.runIds.length} runs`, undefined, 'report', { runIds: req.runIds, out });
    },
  };
}
