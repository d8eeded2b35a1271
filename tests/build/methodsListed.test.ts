// One list of methods everywhere a user reads it: the registry (which the UI's methods.list
// returns, tests/api/service.test.ts), `pretext train --help`, and the README's method table.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { METHOD_NAMES } from '../../src-main/ml/methods';
import { runCli } from '../helpers/cli';

const ROOT = join(__dirname, '..', '..');

describe('the method list', () => {
  it('the README table has one row per method of the registry, baselines on one row', () => {
    const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
    const table = readme.slice(readme.indexOf('| `--method` | paper |'));
    const rows = table.slice(0, table.indexOf('\n\n')).split('\n').slice(2);
    const names = rows.flatMap((r) => [...r.split('|')[1]!.matchAll(/`([a-z0-9]+)`/g)].map((m) => m[1]!));
    expect([...names].sort()).toEqual([...METHOD_NAMES].sort());
    expect(new Set(names).size).toBe(names.length);
  });

  it('pretext train --help lists every method of the registry, in its order', async () => {
    const r = await runCli(['train', '--help']);
    expect(r.code, r.stderr).toBe(0);
    const block = r.stdout.slice(r.stdout.indexOf('Methods:\n') + 'Methods:\n'.length, r.stdout.indexOf('Backbones:'));
    const names = block.split('\n').filter((l) => /^ {2}[a-z0-9]+ /.test(l)).map((l) => l.trim().split(/\s+/)[0]);
    expect(names).toEqual([...METHOD_NAMES]);
  });
});
