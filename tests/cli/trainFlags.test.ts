/**
 * `pretext train` and `pretext import` read their flags through the request schemas
 * (trainRequest, importRequest / importSampleRequest): a value the schema refuses, and a name
 * the engine does not know, exit 2 with a message naming the flag, before anything is stored
 * (issue 11: the same bad values through the CLI as through the API).
 */
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fieldsOf } from '../../src-main/api/schema/fields';
import { importOptions } from '../../src-main/api/schema/commands';
import { trainRequest } from '../../src-main/api/schema/requests';
import { methods } from '../../src-main/ml/methods';
import { shortCite } from '../../src-main/ml/methods/cite';
import { listDatasets } from '../../src-main/store/datasets';
import { listRuns } from '../../src-main/store/runs';
import { Workspace } from '../../src-main/store/workspace';
import { runCli } from '../helpers/cli';
import { makeTempDir } from '../helpers/tmp';
import { makeToyDataset } from '../helpers/toyDataset';

let tmp: ReturnType<typeof makeTempDir>;
let datasetId: string;

beforeAll(() => {
  tmp = makeTempDir('pretext-trainflags-');
  const ws = Workspace.open(tmp.dir);
  datasetId = makeToyDataset(ws);
  ws.close();
});
afterAll(() => tmp.cleanup());

const cli = (...args: string[]) => runCli(['--workspace', tmp.dir, '--backend', 'cpu', ...args]);

/** What is stored: run rows, runs/<id> folders and datasets. */
function stored(): { runs: string[]; folders: string[]; datasets: string[] } {
  const ws = Workspace.open(tmp.dir);
  try {
    return {
      runs: listRuns(ws).map((r) => r.id),
      folders: existsSync(ws.runsDir) ? readdirSync(ws.runsDir) : [],
      datasets: listDatasets(ws).map((d) => d.id),
    };
  } finally {
    ws.close();
  }
}

const RAW_JS = [/\n\s+at /, /Cannot read properties/, /is not a function/, /TypeError|RangeError/];

async function expectRefused(args: string[], flag: string, message: RegExp): Promise<void> {
  const before = stored();
  const r = await cli(...args);
  const what = `${args.join(' ')}: ${r.stderr}`;
  expect(r.code, what).toBe(2);
  expect(r.stderr, what).toContain(`--${flag}`);
  expect(r.stderr, what).toMatch(message);
  for (const bad of RAW_JS) expect(r.stderr, what).not.toMatch(bad);
  expect(stored(), what).toEqual(before);
}

describe('pretext train: flags checked by the runs.create schema', () => {
  const train = (...more: string[]) => ['train', '--dataset', datasetId, '--method', 'simclr', '--epochs', '1', ...more];

  it('refuses values above the range, naming the flag and storing no run', async () => {
    await expectRefused(train('--epochs', '1e9'), 'epochs', /--epochs must be an integer from 1 to 10000, got '1000000000'/);
    await expectRefused(train('--batch', '1e9'), 'batch', /--batch must be an integer from 2 to 4096, got '1000000000'/);
    await expectRefused(train('--width', '1e9'), 'width', /--width must be a number greater than 0 and at most 8, got '1000000000'/);
    await expectRefused(train('--seed', '99999999999'), 'seed', /--seed must be an integer from 0 to 2147483647, got '99999999999'/);
    await expectRefused(train('--lr', '1e400'), 'lr', /--lr must be a number, got '1e400'/);
    await expectRefused(train('--momentum', '1'), 'momentum', /--momentum must be below 1/);
    expect(stored().runs).toEqual([]);
  });

  it('reads a negative value after its flag and names the flag (--warmup-epochs -1)', async () => {
    await expectRefused(train('--warmup-epochs', '-1'), 'warmup-epochs', /--warmup-epochs must be a number from 0 to 10000, got '-1'/);
    await expectRefused(train('--seed=-5'), 'seed', /--seed must be an integer from 0 to 2147483647, got '-5'/);
  });

  it('refuses unknown methods, backbones, presets and options as the API does, naming the flag', async () => {
    const base = ['train', '--dataset', datasetId, '--epochs', '1'];
    await expectRefused([...base, '--method', 'constructor'], 'method', /unknown method 'constructor'/);
    await expectRefused([...base, '--method', 'simclr,a b'], 'method', /--method must be a name of letters, digits, _ and -, got 'a b'/);
    await expectRefused([...base, '--method', 'simclr', '--backbone', 'nope'], 'backbone', /unknown backbone 'nope' \(known: resnet18, resnet34, small, vit-tiny, vit-mini\)/);
    await expectRefused([...base, '--method', 'simclr', '--preset', 'nope'], 'preset', /unknown augmentation preset 'nope'/);
    await expectRefused([...base, '--method', 'simclr', '--set', 'nope=1'], 'set', /method simclr has no option 'nope'/);
    await expectRefused([...base, '--method', 'simclr', '--set', 'temprature=1'], 'set', /did you mean 'temperature'/);
    await expectRefused([...base, '--method', 'simclr', '--set', 'temperature=abc'], 'set', /--set simclr\.temperature must be a number/);
    await expectRefused([...base, '--method', 'simclr', '--optimizer', 'sgdd'], 'optimizer', /optimizer must be one of sgd, lars, adamw/);
    await expectRefused([...base, '--method', 'simclr', '--warmup-epochs', '5'], 'warmup-epochs', /warm-up epochs must be in \[0, epochs\]/);
    await expectRefused([...base, '--method', 'simclr', '--dataset', ''], 'dataset', /--dataset must be a non-empty string/);
    expect(stored().runs).toEqual([]);
    expect(stored().folders).toEqual([]);
  });

  it('takes its --help flag lines from the schema', async () => {
    const r = await cli('train', '--help');
    expect(r.code).toBe(0);
    for (const f of fieldsOf(trainRequest)) {
      if (!f.meta.flag) continue;
      const esc = (t: string) => t.replace(/[[\]().,|]/g, '\\$&');
      // A boolean flag (--clip-lr) has no value placeholder.
      expect(r.stdout).toMatch(new RegExp(`\\n {2}--${f.meta.flag}${f.meta.arg ? ` ${esc(f.meta.arg)}` : ''} +${esc(f.meta.doc)}`));
    }
    expect(r.stdout).toMatch(/--epochs N +training epochs \(default 10\)/);
    // Every registered method on a line of its own, ending in its paper's short citation where it has one.
    const lines = r.stdout.split('\n');
    for (const m of Object.values(methods)) {
      const line = lines.find((l) => l.startsWith(`  ${m.name} `));
      expect(line, m.name).toBeDefined();
      const cite = shortCite(m.reference);
      if (cite) expect(line!.endsWith(`(${cite})`), line).toBe(true);
    }
    expect(lines.some((l) => /^ {2}simclr +contrastive: NT-Xent between two views of each image \(Chen et al\. 2020\)$/.test(l))).toBe(true);
  });
});

describe('pretext import: flags checked by the import schemas', () => {
  it('refuses bad values naming the flag and imports nothing', async () => {
    const src = join(tmp.dir, 'no-such-folder');
    await expectRefused(['import', src, '--size', '2000'], 'size', /--size must be an integer from 4 to 1024, got '2000'/);
    await expectRefused(['import', src, '--size', '-8'], 'size', /--size must be an integer from 4 to 1024, got '-8'/);
    await expectRefused(['import', src, '--size', '1e400'], 'size', /--size must be a number, got '1e400'/);
    await expectRefused(['import', src, '--size', '16.5'], 'size', /--size must be an integer/);
    await expectRefused(['import', src, '--name', ''], 'name', /--name must be a non-empty string/);
    await expectRefused(['import', src, '--name', '   '], 'name', /--name must not be blank/);
    await expectRefused(['import', src, '--name', 'x'.repeat(201)], 'name', /at most 200 characters/);
    await expectRefused(['import', '--sample', 'fashion-mnst'], 'sample', /unknown sample \(did you mean 'fashion-mnist'\?\)/);
    await expectRefused(['import', '--sample', 'constructor'], 'sample', /unknown sample/);
    await expectRefused(['import', '--sample', 'fashion-mnist', '--size', '0'], 'size', /--size must be an integer from 4 to 1024, got '0'/);
    expect(stored().datasets).toHaveLength(1);
  });

  it('refuses a PATH the schema refuses (a name over 255 bytes) as a usage error', async () => {
    const r = await cli('import', join(tmp.dir, 'n'.repeat(300)));
    expect(r.code, r.stderr).toBe(2);
    expect(r.stderr).toMatch(/PATH has a file or folder name longer than 255 bytes/);
  });

  it('takes its --help flag lines from the schemas', async () => {
    const r = await cli('import', '--help');
    for (const f of fieldsOf(importOptions)) expect(r.stdout).toContain(`--${f.meta.flag!}`);
    expect(r.stdout).toMatch(/--size PX +side of the stored images in pixels \(default 32\)/);
    expect(r.stdout).toMatch(/pretext import --sample fashion-mnist \[--full\]/);
  });
});
