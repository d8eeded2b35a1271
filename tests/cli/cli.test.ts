import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { PIXELS_FILE, commitDataset } from '../../src-main/store/datasets';
import { Workspace } from '../../src-main/store/workspace';
import { runCli } from '../helpers/cli';
import { makeTempDir } from '../helpers/tmp';

let tmp: ReturnType<typeof makeTempDir>;
let wsDir: string;
beforeEach(() => {
  tmp = makeTempDir();
  wsDir = join(tmp.dir, 'ws');
});
afterEach(() => tmp.cleanup());

function seedDataset(): string {
  const ws = Workspace.open(wsDir);
  try {
    const dir = ws.makeTmp('seed');
    writeFileSync(join(dir, PIXELS_FILE), new Uint8Array(2 * 4 * 4 * 3));
    return commitDataset(
      ws,
      {
        name: 'tiny',
        source: '/somewhere/tiny',
        sourceKind: 'folder',
        fingerprint: 'fp-tiny',
        imageSize: 4,
        channels: 3,
        classNames: ['a'],
        items: [
          { sourcePath: 'a/1.png', label: 0, split: 'train', contentHash: 'x' },
          { sourcePath: 'a/2.png', label: 0, split: 'test', contentHash: 'y' },
        ],
        failures: [],
      },
      dir,
    ).id;
  } finally {
    ws.close();
  }
}

describe('pretext CLI', () => {
  it('prints help and lists commands', async () => {
    const r = await runCli(['--help']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/Usage: pretext/);
    expect(r.stdout).toMatch(/datasets/);
  });

  it('rejects an unknown command with exit 2 and the command named', async () => {
    const r = await runCli(['frobnicate']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/unknown command 'frobnicate'/);
  });

  it('--json prints exactly one JSON object on stdout', async () => {
    const id = seedDataset();
    const r = await runCli(['--workspace', wsDir, '--json', 'datasets', 'list']);
    expect(r.code).toBe(0);
    const lines = r.stdout.trim().split('\n');
    expect(lines).toHaveLength(1);
    const out = JSON.parse(lines[0]!) as { datasets: { id: string; splits: { train: number; test: number } }[] };
    expect(out.datasets.map((d) => d.id)).toEqual([id]);
    expect(out.datasets[0]!.splits).toEqual({ train: 1, test: 1 });
  });

  it('--json may follow the command; show returns the per-class counts', async () => {
    const id = seedDataset();
    const r = await runCli(['--workspace', wsDir, 'datasets', 'show', id, '--json']);
    expect(r.code).toBe(0);
    const out = JSON.parse(r.stdout) as { perClass: Record<string, unknown>; failed: unknown[] };
    expect(out.perClass).toEqual({ a: { train: 1, test: 1 } });
    expect(out.failed).toEqual([]);
  });

  it('a missing dataset is an error naming it, non-zero exit, JSON error under --json', async () => {
    const r = await runCli(['--workspace', wsDir, '--json', 'datasets', 'show', 'ds-nothere']);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/no dataset 'ds-nothere'/);
    expect(JSON.parse(r.stdout)).toMatchObject({ error: { message: expect.stringMatching(/ds-nothere/) } });
  });

  it('delete removes the dataset', async () => {
    const id = seedDataset();
    expect((await runCli(['--workspace', wsDir, 'datasets', 'delete', id])).code).toBe(0);
    const r = await runCli(['--workspace', wsDir, '--json', 'datasets', 'list']);
    expect(JSON.parse(r.stdout)).toEqual({ datasets: [] });
  });

  it('delete of a dataset that runs use says so (the API wording) and deletes nothing', async () => {
    const id = seedDataset();
    const ws = Workspace.open(wsDir);
    try {
      ws.db
        .prepare("INSERT INTO runs (id, dataset_id, method, config, status, created_at) VALUES ('run-1', ?, 'simclr', '{}', 'completed', ?)")
        .run(id, new Date().toISOString());
    } finally {
      ws.close();
    }
    const r = await runCli(['--workspace', wsDir, 'datasets', 'delete', id]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(new RegExp(`dataset '${id}': runs still use it; delete those runs first`));
    expect(r.stderr).not.toMatch(/FOREIGN KEY/);
    const list = await runCli(['--workspace', wsDir, '--json', 'datasets', 'list']);
    expect((JSON.parse(list.stdout) as { datasets: unknown[] }).datasets).toHaveLength(1);
  });

  it('PRETEXT_WORKSPACE selects the workspace', async () => {
    seedDataset();
    const r = await runCli(['--json', 'datasets', 'list'], { PRETEXT_WORKSPACE: wsDir });
    expect((JSON.parse(r.stdout) as { datasets: unknown[] }).datasets).toHaveLength(1);
  });
});
