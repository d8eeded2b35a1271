// The components type-check: svelte-check reads the .svelte files that tsc cannot (props,
// markup expressions, a11y warnings); any error or warning fails.
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const root = join(__dirname, '..', '..');

describe('svelte-check', () => {
  it('finds no errors and no warnings in the renderer', () => {
    const bin = join(root, 'node_modules', 'svelte-check', 'bin', 'svelte-check');
    const r = spawnSync(process.execPath, [bin, '--workspace', 'src-renderer', '--tsconfig', './tsconfig.check.json', '--fail-on-warnings', '--output', 'human'], {
      cwd: root,
      encoding: 'utf8',
    });
    expect(r.status, `${r.stdout}\n${r.stderr}`).toBe(0);
    expect(r.stdout).toMatch(/0 errors and 0 warnings/);
  });
});
