import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { listBackends } from '../../src-main/ml/backend';
import { runCli } from '../helpers/cli';
import { makeTempDir } from '../helpers/tmp';

describe('pretext bench gpu', () => {
  it('says why when no GPU backend loads (exit 1), or times the GPU ones', async () => {
    const tmp = makeTempDir();
    try {
      const gpus = (await listBackends({ probe: true })).filter((p) => p.loaded && (p.name === 'webgpu' || p.name === 'tensorflow'));
      const r = await runCli(['--workspace', tmp.dir, 'bench', 'gpu', '--seconds', '5', '--steps', '1']);
      expect(r.stdout).toMatch(/^- tensorflow |^[*+] tensorflow /m);
      expect(r.stdout).toMatch(/^chosen: /m);
      if (gpus.length === 0) {
        expect(r.code).toBe(1);
        expect(r.stderr).toMatch(/no GPU backend loads here \(tensorflow: .+; webgpu: .+\)\. Training runs on /);
      } else {
        expect(r.code).toBe(0);
        expect(r.stdout).toMatch(/images\/s/);
      }
    } finally {
      tmp.cleanup();
    }
  }, 120_000);

  it('times the SimCLR ResNet-18 step on a named backend within the time cap, tensors freed', async () => {
    const tmp = makeTempDir();
    try {
      const args = ['--workspace', tmp.dir, '--json', 'bench', 'gpu', '--backends', 'wasm', '--batch', '2', '--steps', '3', '--seconds', '1'];
      await runCli(args); // the first run initialises the backends (their own constants)
      const before = tf.memory().numTensors;
      const r = await runCli(args);
      expect(r.code, r.stderr).toBe(0);
      const out = JSON.parse(r.stdout) as { results: { backend: string; batch: number; stepSeconds: number[]; imagesPerSecond: number; viewsPerSecond: number }[] };
      expect(out.results).toHaveLength(1);
      const w = out.results[0]!;
      expect(w.backend).toBe('wasm');
      expect(w.batch).toBe(2);
      // The cap (1 s) ends the run at the first timed step that finishes after it: 1 to 3 steps.
      expect(w.stepSeconds.length).toBeGreaterThanOrEqual(1);
      expect(w.stepSeconds.length).toBeLessThanOrEqual(3);
      expect(w.viewsPerSecond).toBeCloseTo(2 * w.imagesPerSecond, 6);
      expect(tf.memory().numTensors).toBe(before);
    } finally {
      tmp.cleanup();
    }
  }, 120_000);

  it('refuses a bad option with a usage error', async () => {
    const r = await runCli(['bench', 'gpu', '--batch', '0']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/--batch must be a positive integer, got '0'/);
    const u = await runCli(['bench', 'gpu', '--backends', 'cuda']);
    expect(u.code).toBe(2);
    expect(u.stderr).toMatch(/unknown backend 'cuda'/);
  });
});
