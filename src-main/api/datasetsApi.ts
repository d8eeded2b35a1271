/** datasets.* requests: list, items with thumbnails, import jobs, staging, delete. */
import { copyFileSync, rmSync, statSync } from 'node:fs';
import { basename, extname, isAbsolute, join, relative, resolve, sep } from 'node:path';
import { openSource } from '../data/formats/detect';
import { importSource, importSample } from '../tasks/import';
import { SAMPLES } from '../data/samples';
import type { ImportOptions } from '../data/types';
import { deleteDataset, getDataset, listDatasets } from '../store/datasets';
import type { ImportRequest } from './contract';
import type { Handlers, ServiceContext } from './context';
import { datasetInfo, datasetItemsPage } from './dto';
import { notFound, PretextError } from '../core/errors';
import { checkReadable, stagedFolder } from './pathAccess';

type Names = 'datasets.list' | 'datasets.get' | 'datasets.items' | 'datasets.import' | 'datasets.importSample' | 'datasets.stage' | 'datasets.delete';

function importOptions(req: { name?: string; size?: number; grayscale?: boolean }): Partial<ImportOptions> {
  const o: Partial<ImportOptions> = { grayscale: Boolean(req.grayscale) };
  if (req.name !== undefined) {
    if (typeof req.name !== 'string' || req.name.trim() === '') throw new PretextError('name: must not be empty');
    o.name = req.name;
  }
  if (req.size !== undefined) {
    if (!Number.isInteger(req.size) || req.size < 4 || req.size > 1024) throw new PretextError(`size ${req.size}: must be a whole number of pixels from 4 to 1024`);
    o.size = req.size;
  }
  return o;
}

/** `path` exists (named as the request's `field` gave it: `shown`). */
function mustExist(path: string, shown: string, field: string): void {
  try {
    statSync(path);
  } catch {
    throw new PretextError(`${shown}: no such file or folder on the engine's machine`, { field });
  }
}

export function datasetsHandlers(ctx: ServiceContext): Handlers<Names> {
  const { ws } = ctx;
  /** A server-side path the request may read (uploads, data roots) that exists. */
  const readable = (path: string, field: string): string => {
    const checked = checkReadable(path, field, { tmpDir: ws.tmpDir, dataRoots: ctx.opts.dataRoots });
    mustExist(checked, path, field);
    return checked;
  };
  const find = (id: string) => {
    const row = getDataset(ws, id);
    if (!row) throw notFound(`dataset '${id}'`);
    return row;
  };
  return {
    'datasets.list': async () => listDatasets(ws).map((r) => datasetInfo(ws, r)),
    'datasets.get': async ({ id }) => datasetInfo(ws, find(id)),
    'datasets.items': async (q) => datasetItemsPage(ws, find(q.id), q),
    'datasets.import': async (req: ImportRequest) => {
      const path = readable(req.path, 'path');
      const options = importOptions(req);
      // An upload's folder is deleted after the import: record what was uploaded, not where it sat.
      const staged = stagedFolder(ws.tmpDir, path);
      if (staged) {
        const kind = /-upload-/.test(basename(staged)) ? 'uploaded' : 'dropped files';
        options.sourceLabel = `${kind}: ${relative(staged, resolve(path)) || basename(path)}`;
      }
      const job = ctx.jobs.submit({ kind: 'import', label: `import ${basename(path)}` }, async (ctl) => {
        try {
          const source = await openSource(path);
          const r = await importSource(ws, source, options, ctl.progress, ctl.signal);
          ctx.emit('datasets.changed', { datasetId: r.id });
          return r;
        } finally {
          // Uploaded or staged files have served their purpose once the import is over: their
          // pixels are in the workspace, or it was cancelled or failed (a retry uploads again).
          if (staged) rmSync(staged, { recursive: true, force: true });
        }
      });
      return { jobId: job.id };
    },
    'datasets.importSample': async (req) => {
      if (!(SAMPLES as readonly string[]).includes(req.name)) throw new PretextError(`sample '${req.name}': unknown (available: ${SAMPLES.join(', ')})`);
      const job = ctx.jobs.submit({ kind: 'import', label: `import sample ${req.name}` }, async (ctl) => {
        const r = await importSample(ws, req.name, Boolean(req.full), {}, ctl.progress, ctl.signal);
        ctx.emit('datasets.changed', { datasetId: r.id });
        return r;
      });
      return { jobId: job.id };
    },
    'datasets.stage': async ({ paths }) => {
      if (!Array.isArray(paths) || paths.length === 0) throw new PretextError('stage: no files given', { field: 'paths' });
      const checked = paths.map((p) => {
        const path = readable(p, 'paths');
        if (!statSync(path).isFile()) throw new PretextError(`${p}: not a file (drop a folder on its own to import it)`, { field: 'paths' });
        return path;
      });
      const dir = ws.makeTmp('stage');
      const used = new Set<string>();
      for (const p of checked) {
        const ext = extname(p);
        const stem = basename(p, ext);
        let name = basename(p);
        for (let i = 1; used.has(name); i++) name = `${stem}-${i}${ext}`;
        used.add(name);
        copyFileSync(p, join(dir, name));
      }
      return { path: dir };
    },
    'datasets.delete': async ({ id }) => {
      find(id);
      const deleted = deleteDataset(ws, id);
      if (deleted) ctx.emit('datasets.changed', { datasetId: id });
      return { deleted };
    },
  };
}
