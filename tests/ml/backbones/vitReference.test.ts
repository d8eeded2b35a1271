/**
 * The ViT against float64 PyTorch in timm's layout (tests/fixtures/vit-reference.json, from
 * build/scripts/vit_reference.py): class-token and mean pooling, at the built size and at a
 * larger one (position embeddings resized), on cpu and wasm. Tolerance 1e-4 of the output's scale.
 */
import { readFileSync } from 'node:fs';
import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { buildViT } from '../../../src-main/ml/backbones/vit';
import { relErr, runOn } from '../backend/helpers';

interface Fixture {
  spec: { patch: number; size: number; channels: 3; dim: number; heads: number; depth: number; mlpRatio: number };
  weights: { shape: number[]; values: number[] }[];
  cases: { size: number; images: number[]; cls: number[]; mean: number[] }[];
}

const fx = JSON.parse(readFileSync(new URL('../../fixtures/vit-reference.json', import.meta.url), 'utf8')) as Fixture;

describe.each(['cpu', 'wasm'] as const)('ViT matches float64 PyTorch (timm layout) on %s', (backend) => {
  for (const pool of ['cls', 'mean'] as const) {
    it(`${pool} pooling at ${fx.cases.map((c) => `${c.size} px`).join(' and ')}`, async () => {
      const s = fx.spec;
      const outs = await runOn(backend, () => {
        const m = buildViT(s, { size: s.size, channels: s.channels, pool });
        expect(m.weights.map((w) => w.shape)).toEqual(fx.weights.map((w) => w.shape));
        m.setWeights(fx.weights.map((w) => tf.tensor(w.values, w.shape)));
        const ys = fx.cases.map((c) => m.apply(tf.tensor(c.images, [c.images.length / (c.size * c.size * 3), c.size, c.size, 3])) as tf.Tensor);
        m.dispose();
        return ys;
      });
      fx.cases.forEach((c, i) => expect(relErr(outs[i]!, c[pool])).toBeLessThan(1e-4));
    });
  }
});
