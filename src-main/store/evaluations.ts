/**
 * Evaluation results (kNN, linear probe, diagnostics) of runs: one row each in `evaluations`,
 * params and result as JSON. A baseline evaluated for a run (the random-init encoder of its
 * config) is stored under that run with params.baseline = 'random'. kNN and probe rows map
 * onto the contract's `Evaluation`; diagnostics rows are read with latestEvaluation.
 */
import { randomBytes } from 'node:crypto';
import type { Evaluation } from '../core/types';
import { camelRow } from './rows';
import type { Workspace } from './workspace';

export type EvaluationKind = 'knn' | 'probe' | 'diagnostics';

export interface EvaluationRecord {
  id: string;
  runId: string;
  epoch: number;
  kind: EvaluationKind;
  params: Record<string, unknown>;
  result: Record<string, unknown>;
  createdAt: string;
}

const fromRaw = (r: object): EvaluationRecord => camelRow<EvaluationRecord>(r, ['params', 'result']);

/** The contract's view of a kNN or probe row. */
export function toEvaluation(r: EvaluationRecord): Evaluation {
  if (r.kind === 'diagnostics') throw new Error(`evaluation ${r.id} is a diagnostics row, not a kNN or probe result`);
  return { id: r.id, runId: r.runId, epoch: r.epoch, kind: r.kind, params: r.params, result: r.result, createdAt: r.createdAt };
}

export function insertEvaluation(ws: Workspace, e: Omit<EvaluationRecord, 'id' | 'createdAt'>): EvaluationRecord {
  const id = `ev-${randomBytes(5).toString('hex')}`;
  const createdAt = new Date().toISOString();
  ws.db
    .prepare('INSERT INTO evaluations (id, run_id, epoch, kind, params, result, created_at) VALUES (?, ?, ?, ?, ?, ?, ?)')
    .run(id, e.runId, e.epoch, e.kind, JSON.stringify(e.params), JSON.stringify(e.result), createdAt);
  return { ...e, id, createdAt };
}

export function getEvaluation(ws: Workspace, id: string): EvaluationRecord | undefined {
  const r = ws.db.prepare('SELECT * FROM evaluations WHERE id = ?').get(id) as object | undefined;
  return r && fromRaw(r);
}

/** kNN and probe results of these runs (baselines included), oldest first. */
export function listEvaluations(ws: Workspace, runIds: readonly string[]): Evaluation[] {
  if (runIds.length === 0) return [];
  const marks = runIds.map(() => '?').join(', ');
  const rows = ws.db
    .prepare(`SELECT * FROM evaluations WHERE run_id IN (${marks}) AND kind IN ('knn', 'probe') ORDER BY created_at, rowid`)
    .all(...runIds) as object[];
  return rows.map((r) => toEvaluation(fromRaw(r)));
}

/**
 * The newest row of a run and kind whose params include every entry of `match` (compared as
 * JSON values; a key given as undefined must be absent), optionally at one epoch.
 */
export function latestEvaluation(
  ws: Workspace,
  runId: string,
  kind: EvaluationKind,
  match: Record<string, unknown> = {},
  epoch?: number,
): EvaluationRecord | undefined {
  const rows = ws.db
    .prepare(`SELECT * FROM evaluations WHERE run_id = ? AND kind = ?${epoch === undefined ? '' : ' AND epoch = ?'} ORDER BY created_at DESC, rowid DESC`)
    .all(...(epoch === undefined ? [runId, kind] : [runId, kind, epoch])) as object[];
  for (const raw of rows) {
    const r = fromRaw(raw);
    if (Object.entries(match).every(([k, v]) => JSON.stringify(r.params[k]) === JSON.stringify(v))) return r;
  }
  return undefined;
}
