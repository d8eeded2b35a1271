import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { NeighboursResult } from '../../src-main/api/contract';
import { getDataset } from '../../src-main/store/datasets';
import { runTraining } from '../../src-main/tasks/train';
import { readItems } from '../../src-main/tasks/thumbnail';
import { runCli } from '../helpers/cli';
import { tinyRun, toyWorkspace, type ToyWorkspace } from '../helpers/evalRuns';

let toy: ToyWorkspace;
const runs: string[] = [];
const cli = (...args: string[]) => runCli(['--workspace', toy.ws.dir, '--backend', 'wasm', ...args]);

beforeAll(async () => {
  toy = await toyWorkspace();
  for (const method of ['simclr', 'byol']) {
    runs.push(tinyRun(toy, method, 1, 6));
    await runTraining(toy.ws, runs.at(-1)!);
  }
}, 180_000);
afterAll(() => toy.close());

describe('pretext neighbours', () => {
  it('prints a table per run (rank, index, similarity, label) and the agreement; --json the result', { timeout: 60_000 }, async () => {
    const human = await cli('neighbours', runs[0]!, runs[1]!.slice(0, 8), '--image', '60', '--k', '5');
    expect(human.code, human.stderr).toBe(0);
    expect(human.stdout).toMatch(/^query: image 60 \(test, class2\)$/m);
    for (const id of runs) expect(human.stdout).toMatch(new RegExp(`^${id}  \\w+  epoch 1$`, 'm'));
    expect(human.stdout.match(/^ {2}rank\s+index\s+similarity\s+label$/gm)).toHaveLength(2);
    expect(human.stdout.match(/^ {2}5\s+\d+\s+-?[01]\.\d{4}\s+class\d$/gm)).toHaveLength(2);
    expect(human.stdout.match(/^ {2}agreement: \d\/5 share the query's label \([\d.]+ %\)$/gm)).toHaveLength(2);
    const json = await cli('--json', 'neighbours', ...runs, '--image', '60', '--k', '5');
    expect(json.code, json.stderr).toBe(0);
    const r = JSON.parse(json.stdout) as NeighboursResult;
    expect(r.k).toBe(5);
    expect(r.query).toMatchObject({ index: 60, label: 2, className: 'class2', split: 'test' });
    expect(r.runs.map((x) => x.runId)).toEqual(runs);
    for (const run of r.runs) {
      expect(run.neighbours).toHaveLength(5);
      expect(run.neighbours.map((n) => n.index)).not.toContain(60);
      const sims = run.neighbours.map((n) => n.similarity);
      expect(sims).toEqual([...sims].sort((a, b) => b - a));
      expect(run.matches).toBe(run.neighbours.filter((n) => n.label === 2).length);
    }
    // The human table shows the same neighbours as the JSON.
    const first = r.runs[0]!.neighbours[0]!;
    expect(human.stdout).toMatch(new RegExp(`^ {2}1\\s+${first.index}\\s+${first.similarity.toFixed(4)}\\s+${first.className}$`, 'm'));
  });

  it('--file: an image file embedded by each run’s encoder', { timeout: 60_000 }, async () => {
    const file = join(toy.ws.makeTmp('query'), 'query.png');
    writeFileSync(file, await sharp(readItems(toy.ws, getDataset(toy.ws, toy.datasetId)!, 60), { raw: { width: 8, height: 8, channels: 3 } }).png().toBuffer());
    const r = await cli('--json', 'neighbours', runs[0]!, '--file', file, '--k', '3');
    expect(r.code, r.stderr).toBe(0);
    const out = JSON.parse(r.stdout) as NeighboursResult;
    expect(out.query).toMatchObject({ index: null, file: 'query.png' });
    expect(out.runs[0]!.neighbours[0]!.index).toBe(60);
  });

  it('rejects bad input, naming it', async () => {
    const noQuery = await cli('neighbours', runs[0]!);
    expect(noQuery.code).toBe(2);
    expect(noQuery.stderr).toMatch(/give the query: --image INDEX or --file FILE/);
    const bigK = await cli('neighbours', runs[0]!, '--image', '1', '--k', '101');
    expect(bigK.code).toBe(2);
    expect(bigK.stderr).toMatch(/--k must be an integer from 1 to 100, got '101'/);
    const noRun = await cli('neighbours', '--image', '1');
    expect(noRun.code).toBe(2);
    expect(noRun.stderr).toMatch(/at least one run id is required/);
    const unknown = await cli('neighbours', 'run-nope', '--image', '1');
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toMatch(/no run 'run-nope'/);
    const outside = await cli('neighbours', runs[0]!, '--image', '72');
    expect(outside.code).toBe(2); // a bad value of an input, like a bad flag
    expect(outside.stderr).toMatch(/image 72: dataset \S+ has images 0 to 71/);
  });
});
