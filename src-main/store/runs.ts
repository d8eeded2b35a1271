import { randomBytes } from 'node:crypto';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { rowById, rowByIdOrPrefix } from './rows';
import type { Workspace } from './workspace';
import { PretextError } from '../core/errors';
import type { MetricPoint, RunRecord, RunStatus } from '../core/types';
import type { RunConfig } from '../ml/train/config';

export interface RunRow extends RunRecord {
  /** The resolved configuration: every default filled in, as trained. */
  config: RunConfig;
  pid: number | null;
}

const OPTIMIZERS: readonly RunConfig['optimizer'][] = ['sgd', 'lars', 'adamw'];

/** A run's stored configuration (JSON), checked field by field: the typed RunConfig, or a PretextError naming the field. */
export function parseRunConfig(json: unknown): RunConfig {
  const bad = (field: string, what: string) => new PretextError(`run config: ${field} must be ${what}`, { field: `config.${field}` });
  if (typeof json !== 'object' || json === null || Array.isArray(json)) throw bad('the config', 'an object');
  const o = json as Record<string, unknown>;
  const num = (k: string): number => {
    const v = o[k];
    if (typeof v !== 'number') throw bad(k, 'a number');
    return v;
  };
  const str = (k: string): string => {
    const v = o[k];
    if (typeof v !== 'string') throw bad(k, 'a string');
    return v;
  };
  const optimizer = OPTIMIZERS.find((x) => x === o['optimizer']);
  if (!optimizer) throw bad('optimizer', `one of ${OPTIMIZERS.join(', ')}`);
  const excludeBiasAndNorm = o['excludeBiasAndNorm'];
  if (typeof excludeBiasAndNorm !== 'boolean') throw bad('excludeBiasAndNorm', 'a boolean');
  const rawParams = o['params'];
  if (typeof rawParams !== 'object' || rawParams === null || Array.isArray(rawParams)) throw bad('params', 'an object');
  const params: RunConfig['params'] = {};
  for (const [k, v] of Object.entries(rawParams)) {
    if (typeof v !== 'number' && typeof v !== 'string' && typeof v !== 'boolean') throw bad(`params.${k}`, 'a number, string or boolean');
    params[k] = v;
  }
  // The key order resolveConfig writes (so printed configs read as before).
  return {
    method: str('method'),
    params,
    optimizer,
    lr: num('lr'),
    weightDecay: num('weightDecay'),
    momentum: num('momentum'),
    batch: num('batch'),
    warmupEpochs: num('warmupEpochs'),
    eta: num('eta'),
    excludeBiasAndNorm,
    backbone: str('backbone'),
    width: num('width'),
    epochs: num('epochs'),
    seed: num('seed'),
    scaledLr: num('scaledLr'),
    preset: str('preset'),
    knnK: num('knnK'),
    knnTemperature: num('knnTemperature'),
  };
}

interface RawRun {
  id: string;
  dataset_id: string;
  method: string;
  config: string;
  backend: string | null;
  backend_info: string;
  model_info: string;
  status: RunStatus;
  epochs_done: number;
  steps_done: number;
  train_seconds: number;
  created_at: string;
  started_at: string | null;
  finished_at: string | null;
  error: string | null;
  pid: number | null;
}

function fromRaw(r: RawRun): RunRow {
  return {
    id: r.id,
    datasetId: r.dataset_id,
    method: r.method,
    config: parseRunConfig(JSON.parse(r.config)),
    backend: r.backend,
    backendInfo: JSON.parse(r.backend_info) as Record<string, unknown>,
    modelInfo: JSON.parse(r.model_info) as Record<string, number>,
    status: r.status,
    epochsDone: r.epochs_done,
    stepsDone: r.steps_done,
    trainSeconds: r.train_seconds,
    createdAt: r.created_at,
    startedAt: r.started_at,
    finishedAt: r.finished_at,
    error: r.error,
    pid: r.pid,
  };
}

export function runDir(ws: Workspace, id: string): string {
  return join(ws.runsDir, id);
}

export function createRun(ws: Workspace, datasetId: string, method: string, config: RunConfig): RunRow {
  const id = `run-${randomBytes(4).toString('hex')}`;
  ws.db
    .prepare(
      `INSERT INTO runs (id, dataset_id, method, config, status, created_at) VALUES (?, ?, ?, ?, 'queued', ?)`,
    )
    .run(id, datasetId, method, JSON.stringify(config), new Date().toISOString());
  return getRun(ws, id)!;
}

export function getRun(ws: Workspace, id: string): RunRow | undefined {
  return rowById(ws, 'runs', id, fromRaw);
}

/** A run by id or unique id prefix. */
export function resolveRun(ws: Workspace, ref: string): RunRow | undefined {
  return rowByIdOrPrefix(ws, 'runs', ref, fromRaw);
}

export function listRuns(ws: Workspace): RunRow[] {
  return (ws.db.prepare('SELECT * FROM runs ORDER BY created_at').all() as RawRun[]).map(fromRaw);
}

export interface RunUpdate {
  status?: RunStatus;
  backend?: string;
  backendInfo?: Record<string, unknown>;
  modelInfo?: Record<string, number>;
  epochsDone?: number;
  stepsDone?: number;
  trainSeconds?: number;
  startedAt?: string;
  finishedAt?: string | null;
  error?: string | null;
  pid?: number | null;
}

const columns: Record<keyof RunUpdate, string> = {
  status: 'status',
  backend: 'backend',
  backendInfo: 'backend_info',
  modelInfo: 'model_info',
  epochsDone: 'epochs_done',
  stepsDone: 'steps_done',
  trainSeconds: 'train_seconds',
  startedAt: 'started_at',
  finishedAt: 'finished_at',
  error: 'error',
  pid: 'pid',
};

export function updateRun(ws: Workspace, id: string, u: RunUpdate): void {
  const keys = Object.keys(u) as (keyof RunUpdate)[];
  if (keys.length === 0) return;
  const sets = keys.map((k) => `${columns[k]} = ?`).join(', ');
  const values = keys.map((k) => (k === 'backendInfo' || k === 'modelInfo' ? JSON.stringify(u[k]) : (u[k] ?? null)));
  ws.db.prepare(`UPDATE runs SET ${sets} WHERE id = ?`).run(...values, id);
}

/** Appends metric points in one transaction; a point at an existing (name, step) replaces it. */
export function appendMetrics(ws: Workspace, runId: string, points: MetricPoint[]): void {
  if (points.length === 0) return;
  const stmt = ws.db.prepare(
    'INSERT OR REPLACE INTO metrics (run_id, name, step, epoch, value, wall) VALUES (?, ?, ?, ?, ?, ?)',
  );
  ws.db.transaction(() => {
    for (const p of points) stmt.run(runId, p.name, p.step, p.epoch, p.value, p.wall);
  })();
}

export function runMetrics(ws: Workspace, runId: string, name?: string): MetricPoint[] {
  const sql = `SELECT name, step, epoch, value, wall FROM metrics WHERE run_id = ?${name ? ' AND name = ?' : ''} ORDER BY name, step`;
  return ws.db.prepare(sql).all(...(name ? [runId, name] : [runId])) as MetricPoint[];
}

/** The last value of every metric of a run. */
export function latestMetrics(ws: Workspace, runId: string): Record<string, number> {
  const rows = ws.db
    .prepare(
      `SELECT m.name, m.value FROM metrics m
       JOIN (SELECT name, MAX(step) AS step FROM metrics WHERE run_id = ? GROUP BY name) last
         ON m.name = last.name AND m.step = last.step
       WHERE m.run_id = ?`,
    )
    .all(runId, runId) as { name: string; value: number }[];
  return Object.fromEntries(rows.map((r) => [r.name, r.value]));
}

/** Drops metrics after a step: what a run that resumes from a checkpoint will record again. */
export function truncateMetrics(ws: Workspace, runId: string, afterStep: number): void {
  ws.db.prepare('DELETE FROM metrics WHERE run_id = ? AND step > ?').run(runId, afterStep);
}

export interface CheckpointRow {
  epoch: number;
  step: number;
  path: string;
}

export function recordCheckpoint(ws: Workspace, runId: string, c: CheckpointRow): void {
  ws.db
    .prepare('INSERT OR REPLACE INTO checkpoints (run_id, epoch, step, path, created_at) VALUES (?, ?, ?, ?, ?)')
    .run(runId, c.epoch, c.step, c.path, new Date().toISOString());
}

export function latestCheckpoint(ws: Workspace, runId: string): CheckpointRow | undefined {
  return ws.db
    .prepare('SELECT epoch, step, path FROM checkpoints WHERE run_id = ? ORDER BY epoch DESC LIMIT 1')
    .get(runId) as CheckpointRow | undefined;
}

export function deleteCheckpoint(ws: Workspace, runId: string, epoch: number): void {
  ws.db.prepare('DELETE FROM checkpoints WHERE run_id = ? AND epoch = ?').run(runId, epoch);
}

export function deleteRun(ws: Workspace, id: string): boolean {
  const info = ws.db.prepare('DELETE FROM runs WHERE id = ?').run(id);
  if (info.changes > 0) rmSync(runDir(ws, id), { recursive: true, force: true });
  return info.changes > 0;
}
