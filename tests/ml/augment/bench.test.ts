import { describe, expect, it } from 'vitest';
import { runCli } from '../../helpers/cli';

describe('pretext bench augment', () => {
  it('measures views/s of a preset and prints one JSON object', { timeout: 60_000 }, async () => {
    const r = await runCli(['--json', 'bench', 'augment', '--backend', 'cpu', '--batch', '4', '--size', '16', '--iters', '1']);
    expect(r.code, r.stderr).toBe(0);
    const out = JSON.parse(r.stdout) as { backend: string; preset: string; batch: number[]; views: number; viewsPerSec: number };
    expect(out).toMatchObject({ backend: 'cpu', preset: 'simclr-cifar', batch: [4, 16, 16, 3], views: 2 });
    expect(out.viewsPerSec).toBeGreaterThan(0);
  });

  it('names a bad option', async () => {
    const r = await runCli(['bench', 'augment', '--preset', 'nope']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/unknown augmentation preset 'nope'/);
    const proto = await runCli(['bench', 'constructor']);
    expect(proto.code).toBe(2);
    expect(proto.stderr).toMatch(/unknown benchmark 'constructor'/);
  });
});
