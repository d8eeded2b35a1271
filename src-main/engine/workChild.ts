/**
 * The work process: the engine keeps one, warm, for evaluation, map, export and report jobs,
 * so their seconds of synchronous tfjs and numeric work never stall the engine's answers
 * (previews, lists) and a crash or out-of-memory leaves the engine up. Jobs arrive by id and
 * may overlap; each has its own cancel signal and progress. Results are written to the
 * workspace by the modules themselves; the process returns what they return.
 */
import { toApiError } from '../api/errors';
import type { Control } from '../core/control';
import type { ProgressSink } from '../core/progress';
import { initBackend } from '../ml/backend';
import { runDiagnostics } from '../tasks/diagnostics';
import { evalKnn, evalProbe } from '../tasks/evaluate';
import { createProjection } from '../tasks/project';
import { exportEmbeddings, exportEncoder } from '../tasks/export';
import { writeReport } from '../tasks/report';
import { neighbours } from '../tasks/neighbours';
import { importRunResults } from '../tasks/recipe/import';
import { exportRecipeZip } from '../tasks/recipe/zip';
import { Workspace } from '../store/workspace';
import type { WorkArgs, WorkIn, WorkKind, WorkOut } from './workProtocol';

/** The engine went away (the pipe broke): exit. */
const gone = (err: Error | null) => {
  if (err) process.exit(1);
};

function send(m: WorkOut): void {
  if (process.connected) process.send?.(m, gone);
}

function sink(id: number): ProgressSink {
  return {
    start: (label, total, unit) => send({ type: 'progress', id, call: 'start', label, total, ...(unit ? { unit } : {}) }),
    update: (done, extra) => send({ type: 'progress', id, call: 'update', done, ...(extra !== undefined ? { extra } : {}) }),
    finish: (extra) => send({ type: 'progress', id, call: 'finish', ...(extra !== undefined ? { extra } : {}) }),
    log: (message) => send({ type: 'progress', id, call: 'log', message }),
  };
}

type Runner<K extends WorkKind> = (ws: Workspace, a: WorkArgs[K], ctl: Required<Control>) => Promise<unknown>;

const runners: { [K in WorkKind]: Runner<K> } = {
  knn: (ws, a, ctl) => evalKnn(ws, a.runId, { k: a.k, temperature: a.temperature }, ctl),
  probe: (ws, a, ctl) => evalProbe(ws, a.runId, { labelFraction: a.labelFraction, seed: a.seed }, ctl),
  diagnostics: (ws, a, ctl) => runDiagnostics(ws, a.runId, ctl),
  project: (ws, a, ctl) => createProjection(ws, a.runId, { algo: a.algo, split: a.split, seed: a.seed }, ctl),
  exportEncoder: (ws, a, ctl) => exportEncoder(ws, a.runId, { format: a.format, out: a.out }, ctl),
  exportEmbeddings: (ws, a, ctl) => exportEmbeddings(ws, a.runId, { format: a.format, out: a.out, split: a.split }, ctl),
  report: (ws, a, ctl) => writeReport(ws, a.runIds, a.out, ctl),
  exportRecipe: (ws, a, ctl) => exportRecipeZip(ws, a.runId, { withData: a.withData }, ctl),
  importResults: async (ws, a, ctl) => {
    ctl.progress.start(`import results ${a.source ?? a.dir}`, 1, 'steps');
    const r = importRunResults(ws, { dir: a.dir, dataset: a.datasetId, source: a.source });
    ctl.progress.finish();
    return r;
  },
  neighbours: (ws, a, ctl) => neighbours(ws, a.runIds, a.query, a.k, ctl),
};

const workspaces = new Map<string, Workspace>();
const controllers = new Map<number, AbortController>();
let backend: Promise<unknown> | null = null;

async function work(m: Extract<WorkIn, { type: 'work' }>, signal: AbortSignal): Promise<unknown> {
  backend ??= initBackend({ prefer: m.backend }).catch((err: unknown) => {
    backend = null;
    throw err;
  });
  await backend;
  let ws = workspaces.get(m.workspaceDir);
  if (!ws) workspaces.set(m.workspaceDir, (ws = Workspace.open(m.workspaceDir)));
  const run = runners[m.kind] as Runner<WorkKind>;
  return run(ws, m.args, { signal, progress: sink(m.id) });
}

process.on('message', (m: WorkIn) => {
  if (m.type === 'cancel') controllers.get(m.id)?.abort();
  else if (m.type === 'work') {
    const controller = new AbortController();
    controllers.set(m.id, controller);
    work(m, controller.signal)
      .then(
        (result) => send({ type: 'done', id: m.id, result }),
        (err: unknown) => send({ type: 'error', id: m.id, error: toApiError(err) }),
      )
      .finally(() => controllers.delete(m.id));
  }
});
// The engine died or let go: stop (running jobs leave nothing half-written; their modules write atomically).
process.on('disconnect', () => process.exit(1));
process.on('SIGINT', () => {
  for (const c of controllers.values()) c.abort();
});
