/**
 * `writeReport`: the comparison report of runs as one self-contained HTML file (reportData.ts
 * gathers, report/html.ts renders) — what `pretext report` and the service's report.create call.
 * Default destination: runs/<first run>/exports/report-<runs>.html.
 */
import { join, resolve } from 'node:path';
import type { Control } from '../core/control';
import { CancelledError } from '../core/errors';
import type { WrittenFile } from '../core/types';
import { runDir } from '../store/runs';
import type { Workspace } from '../store/workspace';
import { statOrNone, writeOutput } from '../ml/export/files';
import { reportData } from './reportData';
import { renderReport } from '../report/html';

export async function writeReport(ws: Workspace, runIds: string[], out: string | undefined, ctl: Control = {}): Promise<WrittenFile> {
  ctl.progress?.start(`report of ${runIds.length} run${runIds.length === 1 ? '' : 's'}`, 2, 'steps');
  const data = reportData(ws, runIds);
  if (ctl.signal?.aborted) throw new CancelledError();
  ctl.progress?.update(1, 'data');
  await new Promise((r) => setImmediate(r));
  const html = renderReport(data);
  if (ctl.signal?.aborted) throw new CancelledError();
  const name = `report-${data.runs.map((r) => r.id.replace(/^run-/, '')).join('-').slice(0, 80)}.html`;
  let path = out === undefined || out === '' ? join(runDir(ws, data.runs[0]!.id), 'exports', name) : resolve(out);
  if (statOrNone(path)?.isDirectory()) path = join(path, name);
  const written = writeOutput(path, 'the report', html);
  ctl.progress?.finish();
  return written;
}
