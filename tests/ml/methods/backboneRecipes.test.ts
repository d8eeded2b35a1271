/**
 * Per-backbone method recipes (MethodDefinition.backboneDefaults): MoCo v3 and DINO pick their
 * official ViT recipe only on a ViT backbone, the user's options still win, the recipe is
 * recorded on the config, and MoCo v3's frozen patch projection (stop_grad_conv1) really keeps
 * its initial weights through training steps while the rest of the backbone moves.
 */
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { presetForMethod } from '../../../src-main/ml/augment';
import { useBackend } from '../../../src-main/ml/backend';
import { buildBackbone } from '../../../src-main/ml/backbones/registry';
import { patchProjection } from '../../../src-main/ml/backbones/vitParts';
import { trainableVariables } from '../../../src-main/ml/heads/mlp';
import { readCheckpoint } from '../../../src-main/ml/train/checkpoint';
import { resolveConfig } from '../../../src-main/ml/train/config';
import { buildModel, trainLoop } from '../../../src-main/ml/train/loop';
import { parseRunConfig } from '../../../src-main/store/runs';
import { makeTempDir } from '../../helpers/tmp';
import { toyTrainData } from '../train/toyData';

const preset = (b: string) => presetForMethod(b, 8);

describe('backbone recipes in the config resolution', () => {
  it('mocov3: the ViT recipe on vit-mini and vit-tiny only; the ResNet defaults elsewhere', () => {
    for (const backbone of ['vit-mini', 'vit-tiny']) {
      const c = resolveConfig('mocov3', { backbone, epochs: 100, batch: 64 }, preset);
      expect([c.optimizer, c.lr, c.weightDecay, c.warmupEpochs, c.excludeBiasAndNorm]).toEqual(['adamw', 1.5e-4, 0.1, 10, false]);
      expect(c.scaledLr).toBeCloseTo((1.5e-4 * 64) / 256, 12);
      expect(c.params).toMatchObject({ temperature: 0.2, projLayers: 3, freezePatchEmbed: true });
      expect(c.recipe).toMatch(/MoCo v3 ViT recipe.*stop_grad_conv1/);
    }
    for (const backbone of ['small', 'resnet18', undefined]) {
      const c = resolveConfig('mocov3', { backbone, epochs: 100 }, preset);
      expect([c.optimizer, c.lr, c.weightDecay]).toEqual(['lars', 0.3, 1e-6]);
      expect(c.params).toMatchObject({ projLayers: 2, freezePatchEmbed: false });
      expect(c.recipe).toBeUndefined();
    }
  });

  it('dino: AdamW 5e-4, weight decay 0.04 on a ViT; LARS on a ResNet', () => {
    const v = resolveConfig('dino', { backbone: 'vit-mini', epochs: 100 }, preset);
    expect([v.optimizer, v.lr, v.weightDecay, v.warmupEpochs, v.excludeBiasAndNorm]).toEqual(['adamw', 5e-4, 0.04, 10, true]);
    expect(v.params).toMatchObject({ baseTau: 0.996, normLastLayer: true, prototypes: 4096 });
    expect(v.recipe).toMatch(/DINO ViT recipe.*constant/);
    const r = resolveConfig('dino', { backbone: 'resnet18', epochs: 100 }, preset);
    expect([r.optimizer, r.lr, r.weightDecay, r.params['baseTau'], r.params['normLastLayer']]).toEqual(['lars', 0.3, 1e-6, 0.9995, false]);
    // Methods without a recipe are untouched by the backbone.
    const s = resolveConfig('simclr', { backbone: 'vit-mini', epochs: 100 }, preset);
    expect([s.optimizer, s.lr, s.recipe]).toEqual(['lars', 0.4, undefined]);
  });

  it('the user’s options win over the recipe, and the recipe survives the stored config', () => {
    const c = resolveConfig(
      'mocov3',
      { backbone: 'vit-mini', epochs: 100, optimizer: 'lars', lr: 0.3, weightDecay: 1e-5, warmupEpochs: 3, params: { freezePatchEmbed: false, temperature: 0.5, projLayers: 2 } },
      preset,
    );
    expect([c.optimizer, c.lr, c.weightDecay, c.warmupEpochs]).toEqual(['lars', 0.3, 1e-5, 3]);
    expect(c.params).toMatchObject({ freezePatchEmbed: false, temperature: 0.5, projLayers: 2 });
    const stored = parseRunConfig(JSON.parse(JSON.stringify(c)));
    expect(stored.recipe).toBe(c.recipe);
    expect(stored).toEqual(c);
  });
});

describe('MoCo v3’s frozen patch projection (stop_grad_conv1)', () => {
  let tmp: ReturnType<typeof makeTempDir>;
  beforeAll(async () => {
    await useBackend('cpu');
    tmp = makeTempDir('pretext-recipes-');
  });
  afterAll(() => tmp.cleanup());

  const cfg = (freeze: boolean) =>
    resolveConfig('mocov3', { backbone: 'vit-mini', width: 0.25, epochs: 1, batch: 16, seed: 2, lr: 1e-2, params: { projHidden: 16, projOut: 8, predHidden: 16, freezePatchEmbed: freeze } }, preset);

  it('is left out of the trainable variables of both branches, and a non-ViT refuses it', () => {
    const before = tf.memory().numTensors;
    const data = { size: 8, channels: 3, numClasses: 2 };
    const frozen = buildModel(cfg(true), data);
    const free = buildModel(cfg(false), data);
    expect(free.trainable().length - frozen.trainable().length).toBe(2);
    const fixed = new Set(patchProjection(frozen.backbone).map((w) => w.read().id));
    expect(frozen.trainable().some((v) => fixed.has(v.id))).toBe(false);
    const momentum = frozen.networks()['momentumBackbone']!;
    const momentumFixed = new Set(patchProjection(momentum).map((w) => w.read().id));
    expect(trainableVariables(momentum).some((v) => momentumFixed.has(v.id))).toBe(false);
    // The layer's weight order (checkpoint indices, exports) is that of an unfrozen backbone.
    expect(frozen.backbone.weights.map((w) => w.originalName)).toEqual(free.backbone.weights.map((w) => w.originalName));
    frozen.dispose();
    free.dispose();
    const small = resolveConfig('mocov3', { backbone: 'small', width: 0.25, epochs: 1, batch: 16, params: { projHidden: 16, projOut: 8, predHidden: 16, freezePatchEmbed: true } }, preset);
    expect(() => buildModel(small, data)).toThrow(/freezePatchEmbed.*not a ViT/);
    expect(tf.memory().numTensors).toBe(before);
  });

  it('keeps its initial weights through training steps while the other weights move', async () => {
    const data = toyTrainData();
    const trained = async (freeze: boolean) => {
      const path = join(tmp.dir, `mocov3-${freeze}.ckpt`);
      const r = await trainLoop(data, cfg(freeze), { onEpochEnd: (e) => e.save(path) });
      expect(r.stepsDone).toBe(2);
      return readCheckpoint(path).tensors;
    };
    const init = buildBackbone(cfg(true), { size: 8, channels: 3 });
    const initial = await Promise.all(init.weights.map(async (w) => Float32Array.from(await w.read().data())));
    const projection = new Set(patchProjection(init).map((w) => init.weights.indexOf(w)));
    expect(projection.size).toBe(2);
    init.dispose();
    const moved = (tensors: Awaited<ReturnType<typeof trained>>, i: number) => {
      const t = tensors.get(`net/backbone/${i}`)!;
      return Array.from(t.values).some((x, k) => x !== initial[i]![k]);
    };
    const frozen = await trained(true);
    const free = await trained(false);
    for (let i = 0; i < initial.length; i++) {
      if (projection.has(i)) {
        expect(moved(frozen, i), `frozen weight ${i}`).toBe(false);
        expect(moved(free, i), `free weight ${i}`).toBe(true);
      }
    }
    // The rest of the frozen run's backbone trained (blocks, class token, position embeddings).
    expect([...initial.keys()].filter((i) => !projection.has(i) && moved(frozen, i)).length).toBeGreaterThan(initial.length / 2);
    const momentum = [...projection].map((i) => Array.from(frozen.get(`net/momentumBackbone/${i}`)!.values));
    expect(momentum).toEqual([...projection].map((i) => Array.from(initial[i]!)));
  }, 120_000);
});
