/** `pretext export encoder|embeddings` end to end on a tiny trained run. */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodeNpy } from '../../src-main/ml/export/npy';
import { Workspace } from '../../src-main/store/workspace';
import { runCli } from '../helpers/cli';
import { makeTempDir } from '../helpers/tmp';
import { makeToyDataset } from '../helpers/toyDataset';

let tmp: ReturnType<typeof makeTempDir>;
let runId: string;
const wsDir = () => join(tmp.dir, 'ws');
const cli = (...args: string[]) => runCli(['--workspace', wsDir(), '--backend', 'cpu', ...args]);

beforeAll(async () => {
  tmp = makeTempDir('pretext-cli-export-');
  const ws = Workspace.open(wsDir());
  const datasetId = makeToyDataset(ws, { channels: 1 });
  ws.close();
  const r = await cli('--json', 'train', '--dataset', datasetId, '--method', 'simclr', '--epochs', '1', '--backbone', 'small', '--width', '0.25', '--batch', '16', '--set', 'projHidden=16', '--set', 'projOut=8');
  if (r.code !== 0) throw new Error(r.stderr);
  runId = (JSON.parse(r.stdout) as { id: string }).id;
}, 120_000);
afterAll(() => tmp.cleanup());

describe('pretext export', () => {
  it('exports the encoder as ONNX and tfjs, printing one JSON result each', async () => {
    const onnx = await cli('--json', 'export', 'encoder', runId, '--format', 'onnx', '--out', join(tmp.dir, 'enc.onnx'));
    expect(onnx.code, onnx.stderr).toBe(0);
    const res = JSON.parse(onnx.stdout) as { path: string; bytes: number };
    expect(res.path).toBe(join(tmp.dir, 'enc.onnx'));
    expect(res.bytes).toBe(readFileSync(res.path).length);
    const tfjs = await cli('export', 'encoder', runId.slice(0, 8), '--format', 'tfjs');
    expect(tfjs.code, tfjs.stderr).toBe(0);
    const dir = join(wsDir(), 'runs', runId, 'exports', `${runId}-encoder-e1-tfjs`);
    expect(tfjs.stdout).toContain(`wrote ${join(dir, 'model.json')}`);
    const side = JSON.parse(readFileSync(join(dir, 'pretext.json'), 'utf8')) as { input: { channels: number; layout: string } };
    expect(side.input).toMatchObject({ channels: 1, layout: 'NHWC' });
  });

  it('exports embeddings as npy with the labels beside, and csv', async () => {
    const npy = await cli('--json', 'export', 'embeddings', runId, '--format', 'npy', '--split', 'train', '--out', join(tmp.dir, 'train.npy'));
    expect(npy.code, npy.stderr).toBe(0);
    const arr = decodeNpy(readFileSync(join(tmp.dir, 'train.npy')));
    expect(arr.shape).toEqual([48, 32]);
    expect(readFileSync(join(tmp.dir, 'train.labels.csv'), 'utf8').split('\n')[1]).toMatch(/^\d+,train,\d,class\d$/);
    const csv = await cli('export', 'embeddings', runId, '--format', 'csv', '--out', tmp.dir);
    expect(csv.code, csv.stderr).toBe(0);
    expect(existsSync(join(tmp.dir, `${runId}-embeddings-e1-test.csv`))).toBe(true);
  });

  it('names the bad input: unknown run, missing checkpoint, bad format, unwritable --out', async () => {
    const unknown = await cli('export', 'encoder', 'run-zzzz', '--format', 'onnx');
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toMatch(/no run 'run-zzzz'/);
    const fmt = await cli('export', 'embeddings', runId, '--format', 'parquet');
    expect(fmt.code).toBe(2);
    expect(fmt.stderr).toMatch(/--format must be csv or npy, got 'parquet'/);
    const what = await cli('export', 'weights', runId);
    expect(what.code).toBe(2);
    expect(what.stderr).toMatch(/unknown export 'weights'/);
    const file = join(tmp.dir, 'blocker');
    writeFileSync(file, '');
    const bad = await cli('export', 'embeddings', runId, '--format', 'csv', '--out', join(file, 'x.csv'));
    expect(bad.code).toBe(1);
    expect(bad.stderr).toMatch(/cannot write embeddings to .*blocker\/x\.csv: a parent of it is a file/);
    const ws = Workspace.open(wsDir());
    const datasetId = (ws.db.prepare('SELECT dataset_id FROM runs WHERE id = ?').get(runId) as { dataset_id: string }).dataset_id;
    ws.db.prepare("INSERT INTO runs (id, dataset_id, method, config, status, created_at) SELECT 'run-untrained', dataset_id, method, config, 'queued', created_at FROM runs WHERE id = ?").run(runId);
    ws.close();
    expect(datasetId).toBeTruthy();
    const fresh = await cli('export', 'encoder', 'run-untrained', '--format', 'tfjs');
    expect(fresh.code).toBe(1);
    expect(fresh.stderr).toMatch(/run run-untrained has no checkpoint yet/);
  });
});
