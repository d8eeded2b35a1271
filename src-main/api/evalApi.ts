/** eval.*, projections.*, export.*, report.create: jobs over the modules of the evaluation and export work. */
import type { Diagnostics, Projection, ProjectionAlgo, Split, WrittenFile } from './contract';
import type { JobCtl } from '../engine/jobs';
import { evalKnn } from '../ml/eval/knnEval';
import { evalProbe } from '../ml/eval/probe';
import { exportEmbeddings } from '../ml/export/embeddings';
import { exportEncoder } from '../ml/export/encoder';
import { listEvaluations } from '../store/evaluations';
import { getRun } from '../store/runs';
import type { Workspace } from '../store/workspace';
import type { Handlers, ServiceContext } from './context';
import { notFound, ServiceError } from './errors';
import { optionalModule } from './optional';

type Ctl = JobCtl;
interface DiagModule { runDiagnostics(ws: Workspace, runId: string, ctl: Ctl): Promise<Diagnostics> }
interface ProjectModule {
  createProjection(ws: Workspace, runId: string, o: { algo: ProjectionAlgo; split?: Split; seed?: number }, ctl: Ctl): Promise<Projection>;
  getProjection(ws: Workspace, runId: string, algo: ProjectionAlgo, split: Split): Projection | null;
}
interface ReportModule { writeReport(ws: Workspace, runIds: string[], out: string | undefined, ctl: Ctl): Promise<WrittenFile> }

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
      const m = await optionalModule<DiagModule>('../ml/eval/diagnostics.ts', 'collapse diagnostics');
      await ctx.backend();
      const controller = new AbortController();
      return m.runDiagnostics(ws, runId, { signal: controller.signal, progress: { start() {}, update() {}, finish() {}, log() {} } });
    },
    'projections.create': async (req) => {
      run(req.runId);
      if (!ALGOS.includes(req.algo)) throw new ServiceError(`algo '${String(req.algo)}': must be one of ${ALGOS.join(', ')}`);
      const s = split(req.split);
      const m = await optionalModule<ProjectModule>('../ml/eval/project.ts', 'projections');
      return job('project', `${req.algo} ${req.runId}`, req.runId, (ctl) => m.createProjection(ws, req.runId, { algo: req.algo, split: s, seed: req.seed }, ctl));
    },
    'projections.get': async (req) => {
      run(req.runId);
      const m = await optionalModule<ProjectModule>('../ml/eval/project.ts', 'projections');
      return m.getProjection(ws, req.runId, req.algo, split(req.split));
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
      const m = await optionalModule<ReportModule>('../report/report.ts', 'the HTML report');
      return job('report', `report of ${req.runIds.length} runs`, undefined, (ctl) => m.writeReport(ws, req.runIds, req.out, ctl));
    },
  };
}
