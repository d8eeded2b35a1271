/**
 * Issue 16 on the command line: `train --seeds` (one run per method × seed, one group),
 * `train --sweep KEY=V1,V2` (one run per value), and `runs tag|untag|note|delete`.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { getRun, listRuns } from '../../src-main/store/runs';
import { Workspace } from '../../src-main/store/workspace';
import { runCli } from '../helpers/cli';
import { makeTempDir } from '../helpers/tmp';
import { makeToyDataset } from '../helpers/toyDataset';

let tmp: ReturnType<typeof makeTempDir>;
let datasetId: string;
const tiny = ['--backbone', 'small', '--width', '0.25', '--batch', '8', '--epochs', '1', '--set', 'projHidden=16', '--set', 'projOut=8'];

beforeAll(() => {
  tmp = makeTempDir();
  const ws = Workspace.open(tmp.dir);
  datasetId = makeToyDataset(ws, { perClassTrain: 4, perClassTest: 2 });
  ws.close();
});
afterAll(() => tmp.cleanup());

const cli = (...args: string[]) => runCli(['--workspace', tmp.dir, '--backend', 'wasm', ...args]);
function stored<T>(f: (ws: Workspace) => T): T {
  const ws = Workspace.open(tmp.dir);
  try {
    return f(ws);
  } finally {
    ws.close();
  }
}

interface Summary { group: string; runs: { id: string; method: string; seed: number; group: string; sweep: { key: string; value: number } | null; status: string }[] }

describe('pretext train --seeds / --sweep', () => {
  it('trains one run per method and seed, all in one group', { timeout: 120_000 }, async () => {
    const r = await cli('--json', 'train', '--dataset', datasetId, '--method', 'simclr', '--seeds', '0,1,2', ...tiny);
    expect(r.code, r.stderr).toBe(0);
    const out = JSON.parse(r.stdout) as Summary;
    expect(out.runs.map((x) => [x.method, x.seed, x.group, x.status])).toEqual([0, 1, 2].map((s) => ['simclr', s, out.group, 'completed']));
    expect(r.stderr).toMatch(new RegExp(`group ${out.group}: 3 runs`));
    expect(stored((ws) => out.runs.map((x) => getRun(ws, x.id)!.groupId))).toEqual([out.group, out.group, out.group]);
    // The table line says the seed.
    const plain = await cli('train', '--dataset', datasetId, '--method', 'simclr', '--seeds', '5', ...tiny);
    expect(plain.stdout).toMatch(/simclr\s+seed 5\s+completed/);
  });

  it('sweeps one option over its values, each run stored with the value it took', { timeout: 120_000 }, async () => {
    const r = await cli('--json', 'train', '--dataset', datasetId, '--method', 'simclr', '--sweep', 'temperature=0.1,0.5', ...tiny);
    expect(r.code, r.stderr).toBe(0);
    const out = JSON.parse(r.stdout) as Summary;
    expect(out.runs.map((x) => x.sweep)).toEqual([{ key: 'temperature', value: 0.1 }, { key: 'temperature', value: 0.5 }]);
    expect(stored((ws) => out.runs.map((x) => getRun(ws, x.id)!.config.params['temperature']))).toEqual([0.1, 0.5]);
  });

  it('refuses bad seeds and sweeps with exit 2 naming the flag, storing nothing', async () => {
    const before = stored((ws) => listRuns(ws).length);
    const cases: [string[], RegExp][] = [
      [['--seeds', '0,x'], /--seeds must be an integer from 0 to 2147483647, got 'x'/],
      [['--seeds', '1,1'], /--seeds must not repeat a seed/],
      [['--seeds', Array.from({ length: 17 }, (_, i) => i).join(',')], /--seeds must be a list of 1 to 16 items/],
      [['--seeds', '0,1', '--seed', '3'], /--seeds: give seeds \(repeats\) or seed, not both/],
      [['--sweep', 'temperature'], /--sweep expects KEY=V1,V2,..., got 'temperature'/],
      [['--sweep', 'tempreature=0.1'], /--sweep: sweep: simclr has no option 'tempreature' \(did you mean 'temperature'\?\)/],
      [['--sweep', 'batch=8,1000'], /--sweep: sweep batch=1000: .*fewer than one batch of 1000/],
    ];
    for (const [flags, message] of cases) {
      const r = await cli('train', '--dataset', datasetId, '--method', 'simclr', ...tiny, ...flags);
      expect(r.code, flags.join(' ')).toBe(2);
      expect(r.stderr, flags.join(' ')).toMatch(message);
    }
    expect(stored((ws) => listRuns(ws).length)).toBe(before);
  });
});

describe('pretext runs tag | untag | note | delete', () => {
  it('labels a run, shows the labels, and deletes it with its files', { timeout: 60_000 }, async () => {
    const id = stored((ws) => listRuns(ws)[0]!.id);
    const tagged = await cli('--json', 'runs', 'tag', id.slice(0, 8), 'best', 'wide', 'best');
    expect(tagged.code, tagged.stderr).toBe(0);
    expect(JSON.parse(tagged.stdout)).toMatchObject({ id, tags: ['best', 'wide'] });
    expect((await cli('runs', 'untag', id, 'wide')).stdout).toMatch(/tags: best$/m);
    expect((await cli('runs', 'note', id, 'loss', 'spikes', 'at', 'epoch', '1')).stdout).toMatch(/notes: loss spikes at epoch 1/);
    const show = await cli('runs', 'show', id);
    expect(show.stdout).toMatch(/tags {5}best/);
    expect(show.stdout).toMatch(/notes {4}loss spikes at epoch 1/);
    expect(show.stdout).toMatch(/group {4}grp-[0-9a-f]{8}/);
    expect((await cli('runs', 'list')).stdout).toMatch(/\[best\]/);
    expect((await cli('runs', 'tag', id)).code).toBe(2);
    expect((await cli('runs', 'tag', id, 'two words')).stderr).toMatch(/tag 'two words'/);

    expect(existsSync(join(tmp.dir, 'runs', id))).toBe(true);
    const del = await cli('runs', 'delete', id);
    expect(del.code, del.stderr).toBe(0);
    expect(del.stdout).toMatch(new RegExp(`deleted ${id}`));
    expect(stored((ws) => getRun(ws, id))).toBeUndefined();
    expect(existsSync(join(tmp.dir, 'runs', id))).toBe(false);
    expect((await cli('runs', 'delete', id)).code).not.toBe(0);
  });
});
