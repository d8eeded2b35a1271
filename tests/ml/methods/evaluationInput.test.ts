/**
 * EvaluationSpec's input and pooling (ml/methods/evaluation.ts): the luminance layer against a
 * hand computation (Rec. 601 luma of the de-normalised pixels, scaled to [−1, 1]), its
 * serialisation round trip, and a ViT's mean pooling: it differs from the class token, equals
 * the final norm of the mean of the patch tokens and a vit(pool: 'mean') with the same weights;
 * the monitor's featureNet and the evaluation encoder agree; no tensor is leaked.
 */
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { beforeAll, describe, expect, it } from 'vitest';
import { useBackend } from '../../../src-main/ml/backend';
import { Luminance, luminance } from '../../../src-main/ml/backbones/luminance';
import { resnet } from '../../../src-main/ml/backbones/resnet';
import { vit } from '../../../src-main/ml/backbones/vit';
import { ViTHead, layerNorm } from '../../../src-main/ml/backbones/vitLayers';
import { encoderChannels, evaluationEncoder, evaluationSpec, featureNet, type ModelParts } from '../../../src-main/ml/methods/evaluation';
import { relErr, seeded } from '../backend/helpers';
import { randomizeWeights } from '../export/models';

beforeAll(async () => {
  await useBackend('cpu');
});

const parts = (backbone: tfl.LayersModel): ModelParts => ({ backbone, networks: () => ({ backbone }), buffers: () => ({}) });
const stats3 = { mean: [0.2, 0.5, 0.7], std: [0.3, 0.25, 0.1] };

describe('luminance input', () => {
  it('is Rec. 601 luma of the de-normalised pixels, 2Y − 1, on RGB and grayscale', async () => {
    const before = tf.memory().numTensors;
    // Two pixels of a [1, 1, 2, 3] image, normalised with stats3.
    const pixels = [
      [0.1, 0.9, 0.4],
      [1, 0, 0.5],
    ];
    const x = tf.tensor4d(pixels.flatMap((p) => p.map((v, c) => (v - stats3.mean[c]!) / stats3.std[c]!)), [1, 1, 2, 3]);
    const y = luminance(x, stats3);
    expect(y.shape).toEqual([1, 1, 2, 1]);
    const want = pixels.map(([r, g, b]) => 2 * (0.299 * r! + 0.587 * g! + 0.114 * b!) - 1);
    expect(relErr(await y.data(), want)).toBeLessThanOrEqual(1e-6);
    const gray = tf.tensor4d([(0.25 - 0.4) / 0.2, (1 - 0.4) / 0.2], [1, 1, 2, 1]);
    const yg = luminance(gray, { mean: [0.4], std: [0.2] });
    expect(relErr(await yg.data(), [2 * 0.25 - 1, 2 * 1 - 1])).toBeLessThanOrEqual(1e-6);
    expect(() => luminance(x, { mean: [0.4], std: [0.2] })).toThrow(/images of 3 channels, statistics of 1/);
    expect(() => new Luminance({ mean: [0, 0], std: [1, 1] })).toThrow(/1 or 3 channels/);
    tf.dispose([x, y, gray, yg]);
    expect(tf.memory().numTensors).toBe(before);
  });

  it('is a layer that serialises with its statistics and reloads to the same function', async () => {
    const input = tfl.input({ shape: [2, 2, 3] });
    const m = tfl.model({ inputs: input, outputs: new Luminance({ mean: stats3.mean, std: stats3.std }).apply(input) as tfl.SymbolicTensor });
    const json = m.toJSON(undefined, false) as unknown as tf.serialization.ConfigDict;
    const back = (await tfl.models.modelFromJSON({ modelTopology: json })) as tfl.LayersModel;
    expect(back.layers[1]).toBeInstanceOf(Luminance);
    expect((back.layers[1] as Luminance).std).toEqual(stats3.std);
    const x = tf.tensor4d(seeded(12, 3), [1, 2, 2, 3]);
    const [a, b] = [m.predict(x) as tf.Tensor, back.predict(x) as tf.Tensor];
    expect(relErr(await a.data(), await b.data())).toBe(0);
    tf.dispose([x, a, b]);
    m.dispose();
    back.dispose();
  });

  it('an L-only encoder: one-channel backbone, the layer in front; featureNet agrees', async () => {
    expect(encoderChannels({ input: 'luminance' }, 3)).toBe(1);
    expect(encoderChannels({}, 3)).toBe(3);
    expect(evaluationSpec('simclr', { input: 'luminance' })).toEqual({ input: 'luminance' });
    const backbone = resnet('small', { size: 8, channels: 1, width: 0.25, seed: 1 });
    randomizeWeights(backbone, 3);
    const before = tf.memory().numTensors;
    const x = tf.tensor4d(seeded(2 * 8 * 8 * 3, 4), [2, 8, 8, 3]);
    const monitor = featureNet(parts(backbone), { input: 'luminance' }, stats3).apply(x, { training: false }) as tf.Tensor;
    const direct = tf.tidy(() => backbone.apply(luminance(x, stats3), { training: false }) as tf.Tensor);
    expect(relErr(await monitor.data(), await direct.data())).toBeLessThanOrEqual(1e-6);
    expect(() => featureNet(parts(backbone), { input: 'luminance' })).toThrow(/needs the normalisation statistics/);
    const { encoder, dispose } = evaluationEncoder(parts(backbone), { input: 'luminance' }, stats3);
    expect(encoder.inputs[0]!.shape).toEqual([null, 8, 8, 3]);
    expect(encoder.layers[1]).toBeInstanceOf(Luminance);
    const y = encoder.predict(x) as tf.Tensor;
    expect(relErr(await y.data(), await direct.data())).toBeLessThanOrEqual(1e-5);
    tf.dispose([x, monitor, direct, y]);
    dispose();
    expect(tf.memory().numTensors).toBe(before - backbone.weights.length);
  });
});

describe('ViT pooling', () => {
  it('mean differs from cls and is the final norm of the mean of the patch tokens; featureNet and the encoder agree', async () => {
    const backbone = vit('vit-mini', { size: 8, channels: 3, width: 0.25 });
    randomizeWeights(backbone, 5);
    const before = tf.memory().numTensors;
    const x = tf.tensor4d(seeded(2 * 8 * 8 * 3, 6), [2, 8, 8, 3]);
    const head = backbone.layers.find((l): l is ViTHead => l instanceof ViTHead)!;
    // The tokens before the final norm, through the model's own graph.
    const tokensNet = tfl.model({ inputs: backbone.inputs, outputs: head.input as tfl.SymbolicTensor });
    const handMean = tf.tidy(() => {
      const t = tokensNet.predict(x) as tf.Tensor3D;
      const [b, n, d] = t.shape;
      return layerNorm(tf.mean(tf.slice(t, [0, 1, 0], [b, n - 1, d]), 1), head.getWeights()[0]!, head.getWeights()[1]!, 1e-6);
    });
    const cls = backbone.predict(x) as tf.Tensor;
    const monitor = featureNet(parts(backbone), { pooling: 'mean' }).apply(x, { training: false }) as tf.Tensor;
    expect(relErr(await monitor.data(), await handMean.data())).toBeLessThanOrEqual(1e-5);
    expect(relErr(await monitor.data(), await cls.data())).toBeGreaterThan(1e-2);
    // The declared pooling equal to the backbone's own is the backbone itself.
    expect(featureNet(parts(backbone), { pooling: 'cls' })).toBe(backbone);
    // vit()'s own mean pooling with the same weights.
    const meanVit = vit('vit-mini', { size: 8, channels: 3, width: 0.25, pool: 'mean' });
    meanVit.setWeights(backbone.getWeights());
    const viaVit = meanVit.predict(x) as tf.Tensor;
    expect(relErr(await viaVit.data(), await handMean.data())).toBeLessThanOrEqual(1e-5);
    meanVit.dispose();
    const { encoder, dispose } = evaluationEncoder(parts(backbone), { pooling: 'mean' });
    expect(encoder.layers.filter((l) => l instanceof ViTHead).map((l) => (l as ViTHead).pool)).toEqual(['mean']);
    const y = encoder.predict(x) as tf.Tensor;
    expect(relErr(await y.data(), await handMean.data())).toBeLessThanOrEqual(1e-5);
    tf.dispose([x, handMean, cls, monitor, viaVit, y]);
    dispose();
    // Only the backbone's own weights are gone (the swapped head's copy with the encoder).
    expect(tf.memory().numTensors).toBe(before - backbone.weights.length);
  });

  it('a ResNet ignores the pooling (one global average)', () => {
    const backbone = resnet('small', { size: 8, channels: 3, width: 0.25, seed: 1 });
    expect(featureNet(parts(backbone), { pooling: 'mean' })).toBe(backbone);
    const { encoder, dispose } = evaluationEncoder(parts(backbone), { pooling: 'mean' });
    expect(encoder).toBe(backbone);
    dispose();
  });
});
