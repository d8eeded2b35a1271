/**
 * The UI's "Run on a cluster…" (issue 15): a run's recipe folder (tasks/recipe/export.ts) as one
 * zip file in the run's exports folder, runs/<id>/exports/<id>-recipe[-data].zip, holding the
 * folder <id>-recipe[-data]/ (train.py, the modules, recipe.json, README.md, data.npz with
 * withData). The folder is written in the workspace's tmp and removed once zipped; the zip
 * replaces an earlier one of the same name. A browser downloads it; the desktop app saves a copy.
 */
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { tick, type Control } from '../../core/control';
import { throwIfAborted } from '../../core/errors';
import { zipDirectory } from '../../data/formats/zipWrite';
import { type WrittenFiles } from '../../ml/export/embeddingFiles';
import { writeOutput } from '../../ml/export/files';
import { runDir } from '../../store/runs';
import type { Workspace } from '../../store/workspace';
import { runContext } from '../runContext';
import { exportRecipe } from './export';

export async function exportRecipeZip(ws: Workspace, runRef: string, o: { withData?: boolean }, ctl: Control = {}): Promise<WrittenFiles> {
  const runId = runContext(ws, runRef).run.id;
  const name = `${runId}-recipe${o.withData ? '-data' : ''}`;
  ctl.progress?.start(`recipe ${runId}`, 3, 'steps');
  const tmp = ws.makeTmp('recipe');
  try {
    await tick();
    throwIfAborted(ctl.signal);
    const folder = exportRecipe(ws, runId, { out: join(tmp, name), withData: Boolean(o.withData) });
    ctl.progress?.update(1, `${folder.files.length} files`);
    await tick();
    const zip = await zipDirectory(tmp, undefined, ctl.signal);
    ctl.progress?.update(2, 'zipped');
    throwIfAborted(ctl.signal);
    const file = writeOutput(join(runDir(ws, runId), 'exports', `${name}.zip`), 'the recipe zip', zip);
    ctl.progress?.finish();
    return { path: file.path, bytes: file.bytes, files: [file] };
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
}
