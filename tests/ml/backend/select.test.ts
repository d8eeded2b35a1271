/** Backend selection: order, forced backends, fall-back with the real reason, doctor. */
import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { main } from '../../../src-main/cli/main';
import { PretextError } from '../../../src-main/core/errors';
import { BACKEND_ORDER, describeBackend, initBackend, listBackends, useBackend } from '../../../src-main/ml/backend';

describe('backend selection', () => {
  it('picks the first backend in order that loads; each one that did not says why', async () => {
    const probes = await listBackends();
    expect(probes.map((p) => p.name)).toEqual([...BACKEND_ORDER]);
    for (const p of probes) if (!p.loaded) expect(p.reason).toMatch(/\S/);
    const winner = probes.find((p) => p.loaded)!;
    expect(winner.chosen).toBe(true);
    const info = await initBackend();
    expect(info.name).toBe(winner.name);
    expect(tf.getBackend()).toBe(winner.name);
    expect(info.skipped.map((s) => s.name)).toEqual(probes.filter((p) => !p.loaded && BACKEND_ORDER.indexOf(p.name) < BACKEND_ORDER.indexOf(winner.name)).map((p) => p.name));
    expect(describeBackend()).toEqual(info);
  });

  it('a forced backend that fails falls back, recording its reason', async () => {
    const probes = await listBackends();
    const failing = probes.find((p) => !p.loaded);
    if (!failing) return; // every backend loads on this machine: nothing to fall back from
    const info = await initBackend({ prefer: failing.name });
    expect(info.name).not.toBe(failing.name);
    expect(info.forced).toBe(false);
    expect(info.skipped[0]).toEqual({ name: failing.name, reason: failing.reason });
  });

  it('a forced backend that loads is used and marked forced', async () => {
    const info = await initBackend({ prefer: 'cpu' });
    expect(info).toMatchObject({ name: 'cpu', forced: true, skipped: [] });
    expect(tf.getBackend()).toBe('cpu');
    const wasm = await initBackend({ prefer: 'WASM' });
    expect(wasm.name).toBe('wasm');
    expect(wasm.device).toMatch(/WebAssembly.*thread.*SIMD/);
    expect(wasm.projectKernels).toContain('Conv2DBackpropFilter');
  });

  it('an unknown backend name is a user error naming it', async () => {
    await expect(initBackend({ prefer: 'cuda' })).rejects.toThrow(PretextError);
    await expect(initBackend({ prefer: 'cuda' })).rejects.toThrow(/unknown backend 'cuda'/);
  });

  it('useBackend switches between cpu and wasm and reports the threads', async () => {
    expect((await useBackend('cpu')).name).toBe('cpu');
    const w = await useBackend('wasm');
    expect(w.threads).toBeGreaterThanOrEqual(1);
    expect(tf.getBackend()).toBe('wasm');
  });
});

describe('pretext doctor', () => {
  it('--json prints every backend and the chosen one', async () => {
    let out = '';
    const code = await main(['--json', 'doctor'], { stdout: (t) => void (out += t), env: { ...process.env, PRETEXT_BACKEND: 'cpu' } });
    expect(code).toBe(0);
    const res = JSON.parse(out) as { backends: { name: string; loaded: boolean; chosen: boolean }[]; chosen: { name: string; forced: boolean } };
    expect(res.backends.map((b) => b.name)).toEqual([...BACKEND_ORDER]);
    expect(res.chosen).toMatchObject({ name: 'cpu', forced: true });
    expect(res.backends.filter((b) => b.chosen).map((b) => b.name)).toEqual(['cpu']);
  });
});
