/** eval.*, projections.*, export.*, report.create: jobs over the modules of the evaluation and export work. */
import type { ProjectionAlgo, Split } from './contract';
import type { JobCtl } from '../engine/jobs';
import { runDiagnostics, storedDiagnostics } from '../ml/eval/diagnostics';
import { evalKnn } from '../ml/eval/knnEval';
import { evalProbe } from '../ml/eval/probe';
import { createProjection, getProjection } from '../ml/eval/project';
import { exportEmbeddings } from '../ml/export/embeddings';
import { exportEncoder } from '../ml/export/encoder';
import { writeReport } from '../report/report';
import { listEvaluations } from '../store/evaluations';
import { getRun, latestCheckpoint } from '../store/runs';
import type { Handlers, ServiceContext } from './context';
import { notFound, ServiceError } from './errors';

type Ctl = JobCtl;

type Names =
  | 'eval.knn' | 'eval.probe' | 'eval.list' | 'eval.diagnostics'
  | 'projections.create' | 'projections.get'
  | 'export.encoder' | 'export.embeddings' | 'report.create';

const ALGOS: ProjectionAlgo[] = ['pca', 'tsne', 'umap'];

export function evalHandlers(ctx: ServiceContext): Handlers<Names> {
  const { ws } = ctx;
  const run = (id: string) => {
    const r = getRun(ws, id);
    if (!r) throw notFound(`run '${id}'`);
    return r;
  };
  const job = (kind: 'knn' | 'probe' | 'project' | 'export' | 'report', label: string, runId: string | undefined, fn: (ctl: Ctl) => Promise<unknown>) =>
    ({ jobId: ctx.jobs.submit({ kind, label, ...(runId ? { runId } : {}) }, async (ctl) => {
      await ctx.backend();
      return fn(ctl);
    }).id });
  const split = (s: Split | undefined): Split => {
    if (s !== undefined && s !== 'train' && s !== 'test') throw new ServiceError(`split '${String(s)}': must be train or test`);
    return s ?? 'test';
  };
  return {
    'eval.knn': async (req) => {
      run(req.runId);
      return job('knn', `kNN ${req.runId}`, req.runId, (ctl) => evalKnn(ws, req.runId, { k: req.k, temperature: req.temperature }, ctl));
    },
    'eval.probe': async (req) => {
      run(req.runId);
      return job('probe', `linear probe ${req.runId}`, req.runId, (ctl) => evalProbe(ws, req.runId, { labelFraction: req.labelFraction, seed: req.seed }, ctl));
    },
    'eval.list': async ({ runIds }) => {
      if (!Array.isArray(runIds)) throw new ServiceError('runIds: a list of run ids is required');
      return listEvaluations(ws, runIds);
    },
    'eval.diagnostics': async ({ runId }) => {
      run(runId);
      // The stored diagnostics of the latest checkpoint, else computed now (and stored).
      const stored = storedDiagnostics(ws, runId);
      const checkpoint = latestCheckpoint(ws, runId);
      if (stored && checkpoint && stored.epoch === checkpoint.epoch) return stored;
      await ctx.backend();
      return runDiagnostics(ws, runId);
    },
    'projections.create': async (req) => {
      run(req.runId);
      if (!ALGOS.includes(req.algo)) throw new ServiceError(`algo '${String(req.algo)}': must be one of ${ALGOS.join(', ')}`);
      const s = split(req.split);
      return job('project', `${req.algo} ${req.runId}`, req.runId, (ctl) => createProjection(ws, req.runId, { algo: req.algo, split: s, seed: req.seed }, ctl));
    },
    'projections.get': async (req) => {
      run(req.runId);
      return getProjection(ws, req.runId, req.algo, split(req.split));
    },
    'export.encoder': async (req) => {
      run(req.runId);
      if (req.format !== 'tfjs' && req.format !== 'onnx') throw new ServiceError(`format '${String(req.format)}': must be tfjs or onnx`);
      return job('export', `export ${req.format} ${req.runId}`, req.runId, (ctl) => exportEncoder(ws, req.runId, { format: req.format, out: req.out }, ctl));
    },
    'export.embeddings': async (req) => {
      run(req.runId);
      if (req.format !== 'csv' && req.format !== 'npy') throw new ServiceError(`format '${String(req.format)}': must be csv or npy`);
      return job('export', `export embeddings ${req.runId}`, req.runId, (ctl) => exportEmbeddings(ws, req.runId, { format: req.format, out: req.out }, ctl));
    },
    'report.create': async (req) => {
      if (!Array.isArray(req.runIds) || req.runIds.length === 0) throw new ServiceError('runIds: pick at least one run');
      req.runIds.forEach(run);
      return job('report', `report of ${req.runIds.length} runs`, undefined, (ctl) => writeReport(ws, req.runIds, req.out, ctl));
    },
  };
}
