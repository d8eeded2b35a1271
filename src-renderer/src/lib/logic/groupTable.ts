/**
 * Compare's table by group: one row per group of seeds (seedGroups) with n, the seeds, and
 * mean ± std of each result column (kNN top-1, probe at each label fraction); each group that is
 * not the best of a column is compared with the best, and marked when the difference is within
 * the seed spread (spreadVerdict).
 */
import type { Evaluation, RunInfo } from '../../../../src-main/api/contract';
import { LABEL_FRACTIONS, metricsRows } from './metricsTable';
import { meanStd, seedGroups, spreadVerdict, type Spread, type SpreadVerdict } from './seedStats';

/** A result column: 'knn', or a probe label fraction ('0.01', '0.1', '1'). */
export type ResultColumn = 'knn' | `${number}`;

export interface GroupCell {
  spread: Spread | null;
  /** Against the column's best group; null for the best itself, or without a result. */
  vsBest: (SpreadVerdict & { best: string }) | null;
}

export interface GroupRow {
  key: string;
  label: string;
  method: string;
  runIds: string[];
  seeds: number[];
  cells: Record<string, GroupCell>;
}

export const RESULT_COLUMNS: readonly ResultColumn[] = ['knn', ...LABEL_FRACTIONS.map((f) => String(f) as ResultColumn)];

export function groupRows(runs: readonly RunInfo[], evals: readonly Evaluation[]): GroupRow[] {
  const perRun = new Map(metricsRows(runs, evals).map((r) => [r.runId, r]));
  const rows: GroupRow[] = seedGroups(runs).map((g) => {
    const cells: Record<string, GroupCell> = {};
    for (const col of RESULT_COLUMNS) {
      const values = g.runs.map((r) => {
        const m = perRun.get(r.id)!;
        return col === 'knn' ? m.knn : (m.probe[col] ?? null);
      });
      cells[col] = { spread: meanStd(values), vsBest: null };
    }
    return { key: g.key, label: g.label, method: g.method, runIds: g.runs.map((r) => r.id), seeds: g.seeds, cells };
  });
  for (const col of RESULT_COLUMNS) {
    const have = rows.filter((r) => r.cells[col]!.spread);
    if (have.length < 2) continue;
    const best = have.reduce((a, b) => (b.cells[col]!.spread!.mean > a.cells[col]!.spread!.mean ? b : a));
    for (const r of have) {
      if (r === best) continue;
      r.cells[col]!.vsBest = { ...spreadVerdict(r.cells[col]!.spread!, best.cells[col]!.spread!, 100, ' pp'), best: best.label };
    }
  }
  return rows;
}
