// export.recipe and runs.import over the API (issue 15's UI): the real service, SQLite, work
// process and files. The export is a job whose result is one zip in the run's exports folder
// (read back with Python's zipfile, an independent reader); a method the program cannot run is
// refused with the reason, which runs.get carries as recipeUnsupported. An uploaded results
// folder imports to a run marked external; a bad safetensors fails the job with an error naming
// the file, stores nothing and removes the upload.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ImportResultsInfo, JobInfo, WrittenFile } from '../../src-main/api/contract';
import { presetForMethod } from '../../src-main/ml/augment';
import { useBackend } from '../../src-main/ml/backend';
import { resolveConfig } from '../../src-main/ml/train/config';
import { createRun, listRuns } from '../../src-main/store/runs';
import { waitFor } from '../helpers/events';
import { writeResults } from '../helpers/recipeResults';
import { closeServiceTest, openServiceTest, type ServiceTest } from '../helpers/service';
import { makeToyDataset } from '../helpers/toyDataset';

let t: ServiceTest;
let datasetId: string;

beforeAll(async () => {
  await useBackend('cpu');
  t = openServiceTest();
  datasetId = makeToyDataset(t.ws, { channels: 3 });
});
afterAll(() => closeServiceTest(t));

const finished = async (p: Promise<{ jobId: string }>): Promise<JobInfo> => {
  const { jobId } = await p;
  return waitFor(t.service, 'job.finished', (j) => j.id === jobId, 60_000);
};

function newRun(method: string): string {
  const params: Record<string, number> = method === 'supervised' ? {} : { projHidden: 16, projOut: 8 };
  const cfg = resolveConfig(method, { epochs: 1, batch: 16, seed: 1, width: 0.25, params }, (b) => presetForMethod(b, 8));
  return createRun(t.ws, datasetId, method, cfg).id;
}

/** The zip's entries and its recipe.json, read by Python's zipfile (testzip checks every CRC). */
function readZip(path: string): { names: string[]; bad: string | null; recipe: { config: { method: string } } } {
  const code = [
    'import json, sys, zipfile',
    'z = zipfile.ZipFile(sys.argv[1])',
    'names = z.namelist()',
    'recipe = json.loads(z.read([n for n in names if n.endswith("/recipe.json")][0]))',
    'print(json.dumps({"names": names, "bad": z.testzip(), "recipe": recipe}))',
  ].join('\n');
  const r = spawnSync('python3', ['-c', code, path], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`python3 zipfile: ${r.stderr}`);
  return JSON.parse(r.stdout) as ReturnType<typeof readZip>;
}

describe('export.recipe', () => {
  it('zips the recipe folder (with its data) into the run’s exports folder', async () => {
    const runId = newRun('simclr');
    const job = await finished(t.service.handle('export.recipe', { runId, withData: true }));
    expect(job).toMatchObject({ status: 'completed', kind: 'export', runId });
    const file = job.result as WrittenFile;
    expect(file.path).toBe(join(t.ws.dir, 'runs', runId, 'exports', `${runId}-recipe-data.zip`));
    expect(readFileSync(file.path).length).toBe(file.bytes);
    const zip = readZip(file.path);
    expect(zip.bad).toBeNull();
    const folder = `${runId}-recipe-data/`;
    expect(zip.names.sort()).toEqual(
      ['README.md', 'data.npz', 'ddp_parts.py', 'recipe.json', 'ssl_methods.py', 'ssl_parts.py', 'torch_engine.py', 'torch_quality.py', 'train.py'].map((n) => folder + n).sort(),
    );
    expect(zip.recipe.config.method).toBe('simclr');
    // The folder it zipped was a temporary one.
    expect(readdirSync(t.ws.tmpDir)).toEqual([]);
    // Without the data: another zip, no data.npz.
    const plain = await finished(t.service.handle('export.recipe', { runId }));
    expect((plain.result as WrittenFile).path).toMatch(new RegExp(`${runId}-recipe\\.zip$`));
    expect(readZip((plain.result as WrittenFile).path).names.some((n) => n.endsWith('data.npz'))).toBe(false);
    expect((await t.service.handle('runs.get', { id: runId })).recipeUnsupported).toBeNull();
  }, 120_000);

  it('refuses a method the program does not implement, with the reason runs.get shows', async () => {
    const runId = newRun('supervised');
    const info = await t.service.handle('runs.get', { id: runId });
    expect(info.recipeUnsupported).toMatch(/method 'supervised' has no PyTorch implementation in the exported program \(it implements simclr, moco, byol/);
    await expect(t.service.handle('export.recipe', { runId })).rejects.toMatchObject({ code: 'bad-request', message: expect.stringContaining(info.recipeUnsupported!) });
    await expect(t.service.handle('export.recipe', { runId: 'run-nope' })).rejects.toMatchObject({ code: 'not-found' });
  });
});

describe('runs.import', () => {
  /** A results folder inside an upload folder of the workspace's tmp, as POST /api/upload leaves it. */
  function uploaded(spoil?: (dir: string) => void): { upload: string; dir: string } {
    const upload = t.ws.makeTmp('upload');
    const dir = join(upload, 'results');
    writeResults(dir);
    spoil?.(dir);
    return { upload, dir };
  }

  it('stores an uploaded results folder as an external run and removes the upload', async () => {
    const { upload, dir } = uploaded();
    const before = listRuns(t.ws).length;
    const job = await finished(t.service.handle('runs.import', { dir, datasetId }));
    expect(job).toMatchObject({ status: 'completed', kind: 'import' });
    const r = job.result as ImportResultsInfo;
    expect(r).toMatchObject({ epochs: 1, steps: 4, processes: 2, device: 'cpu', knnTop1: [0.5] });
    expect(listRuns(t.ws)).toHaveLength(before + 1);
    const info = await t.service.handle('runs.get', { id: r.runId });
    expect(info).toMatchObject({ status: 'completed', backend: 'pytorch', method: 'byol', epochsDone: 1, latest: { knn_top1: 0.5 } });
    expect(info.external).toEqual({ where: 'node7', processes: 2, device: 'cpu', wallSeconds: 2.5, importedFrom: 'uploaded: results' });
    expect(existsSync(upload)).toBe(false);
    // An imported run is a run like any other: kNN on its weights.
    const knn = await finished(t.service.handle('eval.knn', { runId: r.runId, k: 5 }));
    expect(knn.status).toBe('completed');
  }, 120_000);

  it('a bad safetensors: the job fails naming the file, nothing is stored, the upload goes', async () => {
    const { upload, dir } = uploaded((d) => writeFileSync(join(d, 'backbone.safetensors'), readFileSync(join(d, 'backbone.safetensors')).subarray(0, 200)));
    const before = listRuns(t.ws).length;
    const job = await finished(t.service.handle('runs.import', { dir, datasetId }));
    expect(job.status).toBe('failed');
    expect(job.error).toMatch(/results\/backbone\.safetensors: not a valid safetensors file/);
    expect(listRuns(t.ws)).toHaveLength(before);
    expect(existsSync(upload)).toBe(false);
  }, 120_000);

  it('a missing file, a folder outside the uploads, an unknown dataset: refused at once, naming it', async () => {
    const { upload, dir } = uploaded((d) => rmSync(join(d, 'metrics.jsonl')));
    await expect(t.service.handle('runs.import', { dir, datasetId })).rejects.toMatchObject({ code: 'bad-request', message: expect.stringMatching(/metrics\.jsonl is missing from results/) });
    rmSync(upload, { recursive: true });
    const outside = join(t.tmp.dir, 'elsewhere');
    mkdirSync(outside);
    writeResults(outside);
    await expect(t.service.handle('runs.import', { dir: outside, datasetId })).rejects.toMatchObject({ code: 'bad-request', field: 'dir' });
    const ok = uploaded();
    await expect(t.service.handle('runs.import', { dir: ok.dir, datasetId: 'ds-nope' })).rejects.toMatchObject({ code: 'not-found' });
    rmSync(ok.upload, { recursive: true });
  });
});
