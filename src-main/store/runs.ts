import { randomBytes } from 'node:crypto';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { rowById, rowByIdOrPrefix } from './rows';
import type { Workspace } from './workspace';
import { PretextError } from '../core/errors';
import type { MetricPoint, RunRecord, RunStatus } from '../core/types';
import type { RunConfig } from '../ml/train/config';

/** A swept option of a run: the option (a training option or a method's) and the value this run took. */
export interface SweepPoint {
  key: string;
  value: number | string | boolean;
}

/** What a run belongs to and what a researcher wrote on it. */
export interface RunLabels {
  /** The comparison it was started in (its methods × seeds × sweep values); null for runs from before groups. */
  groupId: string | null;
  /** The swept option's value this run trained with; null outside a sweep. */
  sweep: SweepPoint | null;
  tags: string[];
  notes: string;
}

export interface RunRow extends RunRecord, RunLabels {
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
  // Configs stored before clipLr existed trained without it.
  const clipLr = o['clipLr'] ?? false;
  if (typeof clipLr !== 'boolean') throw bad('clipLr', 'a boolean');
  // AdamW's β2, stored only by methods that set it (MAE): absent, the optimiser's 0.999.
  const beta2 = o['beta2'];
  if (beta2 !== undefined && typeof beta2 !== 'number') throw bad('beta2', 'a number');
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
    clipLr,
    ...(beta2 !== undefined ? { beta2 } : {}),
    backbone: str('backbone'),
    width: num('width'),
    epochs: num('epochs'),
    seed: num('seed'),
    scaledLr: num('scaledLr'),
    preset: str('preset'),
    knnK: num('knnK'),
    knnTemperature: num('knnTemperature'),
    // Configs resolved without a backbone recipe (or before recipes existed) have none.
    ...(typeof o['recipe'] === 'string' ? { recipe: o['recipe'] } : {}),
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
  group_id: string | null;
  sweep: string | null;
  tags: string;
  notes: string;
}

function parseSweep(json: string | null): SweepPoint | null {
  if (json === null) return null;
  const o = JSON.parse(json) as Partial<SweepPoint>;
  const v = o.value;
  return typeof o.key === 'string' && (typeof v === 'number' || typeof v === 'string' || typeof v === 'boolean') ? { key: o.key, value: v } : null;
}

function parseTags(json: string): string[] {
  const t = JSON.parse(json) as unknown;
  return Array.isArray(t) ? t.filter((x): x is string => typeof x === 'string') : [];
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
    groupId: r.group_id,
    sweep: parseSweep(r.sweep),
    tags: parseTags(r.tags),
    notes: r.notes,
  };
}

export function runDir(ws: Workspace, id: string): string {
  return join(ws.runsDir, id);
}

/** A fresh group id: the runs of one comparison (its methods, seeds and sweep values) share it. */
export function newGroupId(): string {
  return `grp-${randomBytes(4).toString('hex')}`;
}

export function createRun(
  ws: Workspace,
  datasetId: string,
  method: string,
  config: RunConfig,
  group: { groupId?: string | null; sweep?: SweepPoint | null } = {},
): RunRow {
  const id = `run-${randomBytes(4).toString('hex')}`;
  ws.db
    .prepare(
      `INSERT INTO runs (id, dataset_id, method, config, status, created_at, group_id, sweep) VALUES (?, ?, ?, ?, 'queued', ?, ?, ?)`,
    )
    .run(id, datasetId, method, JSON.stringify(config), new Date().toISOString(), group.groupId ?? null, group.sweep ? JSON.stringify(group.sweep) : null);
  return getRun(ws, id)!;
}

/** The runs of a group, oldest first. */
export function groupRuns(ws: Workspace, groupId: string): RunRow[] {
  return (ws.db.prepare('SELECT * FROM runs WHERE group_id = ? ORDER BY created_at, rowid').all(groupId) as RawRun[]).map(fromRaw);
}

/** A tag: 1 to 40 characters, no spaces or control characters (so `runs tag ID a b` and a filter read it as one word). */
export const TAG_PATTERN = /^[^\s\u0000-\u001f\u007f]{1,40}$/;
export const MAX_TAGS = 32;
export const MAX_NOTES = 4000;

/** Replaces a run's tags (deduplicated, in the order given) and/or its notes. */
export function labelRun(ws: Workspace, id: string, u: { tags?: readonly string[]; notes?: string }): void {
  if (u.tags !== undefined) {
    const tags = [...new Set(u.tags)];
    const bad = tags.find((t) => !TAG_PATTERN.test(t));
    if (bad !== undefined) throw new PretextError(`tag '${bad}' must be 1 to 40 characters without spaces`, { field: 'tags' });
    if (tags.length > MAX_TAGS) throw new PretextError(`a run has at most ${MAX_TAGS} tags, got ${tags.length}`, { field: 'tags' });
    ws.db.prepare('UPDATE runs SET tags = ? WHERE id = ?').run(JSON.stringify(tags), id);
  }
  if (u.notes !== undefined) {
    if (u.notes.length > MAX_NOTES) throw new PretextError(`notes must be at most ${MAX_NOTES} characters, got ${u.notes.length}`, { field: 'notes' });
    ws.db.prepare('UPDATE runs SET notes = ? WHERE id = ?').run(u.notes, id);
  }
}

export function getRun(ws: Workspace, id: string): RunRow | undefined {
  return rowById(ws, 'runs', id, fromRaw);
}

/** A run by id or unique id prefix. */
export function resolveRun(ws: Workspace, ref: string): RunRow | undefined {
  return rowByIdOrPrefix(ws, 'runs', ref, fromRaw);
}

export function listRuns(ws: Workspace): RunRow[] {
  return (ws.db.prepare('SELECT * FROM runs ORDER BY created_at, rowid').all() as RawRun[]).map(fromRaw);
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
