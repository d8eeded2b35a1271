/**
 * A method's evaluated encoder (ml/methods/evaluation.ts): SimCLR v2 with evalLayers 1 reads
 * features after the projector's first linear → BN → ReLU, in inference mode; the live
 * featureNet and the LayersModel agree, and both leave no tensor behind.
 */
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { presetForMethod } from '../../../src-main/ml/augment';
import { useBackend } from '../../../src-main/ml/backend';
import { evaluationEncoder, evaluationSpec, featureNet } from '../../../src-main/ml/methods/evaluation';
import { resolveConfig } from '../../../src-main/ml/train/config';
import { buildModel } from '../../../src-main/ml/train/loop';
import { relErr } from '../backend/helpers';

beforeAll(async () => {
  await useBackend('cpu');
});

const data = { size: 8, channels: 3, numClasses: 2 };
const config = (evalLayers: number) =>
  resolveConfig('simclrv2', { batch: 8, width: 0.25, seed: 2, params: { projHidden: 16, projOut: 8, evalLayers } }, (b) => presetForMethod(b, 8));

describe('evaluated encoder', () => {
  it('the backbone alone by default; SimCLR v2 declares the projector layers', () => {
    expect(evaluationSpec('simclr', {})).toEqual({});
    expect(evaluationSpec('simclrv2', config(0).params)).toEqual({});
    expect(evaluationSpec('simclrv2', config(2).params)).toEqual({ head: { network: 'projector', layers: 6 } });
    expect(() => config(3)).toThrow(/evalLayers must be 0 \(the backbone\), 1 or 2/);
  });

  it('reads relu(BN(W·f)) of the backbone features with the running statistics, as one LayersModel too', async () => {
    const before = tf.memory().numTensors;
    const cfg = config(1);
    const model = buildModel(cfg, data);
    const spec = evaluationSpec('simclrv2', cfg.params);
    const x = tf.randomUniform([4, 8, 8, 3], -1, 1, 'float32', 5);
    const projector = model.networks()['projector']!;
    // Non-trivial running statistics (moving mean 0.3, variance 2), so inference mode is what is checked.
    const bn = projector.layers[1]!;
    expect(bn.getClassName()).toBe('BatchNormalization');
    const stats = tf.tidy(() => bn.getWeights().map((w, i) => (i === 2 ? tf.fill(w.shape, 0.3) : i === 3 ? tf.fill(w.shape, 2) : w.clone())));
    expect(stats).toHaveLength(4);
    bn.setWeights(stats);
    tf.dispose(stats);
    const manual = tf.tidy(() => {
      const f = model.backbone.apply(x, { training: false }) as tf.Tensor2D;
      const [kernel] = projector.layers[0]!.getWeights();
      const [gamma, beta, mu, v] = projector.layers[1]!.getWeights();
      const h = tf.matMul(f, kernel as tf.Tensor2D);
      return tf.relu(tf.add(tf.mul(tf.div(tf.sub(h, mu!), tf.sqrt(tf.add(v!, 1e-5))), gamma!), beta!));
    });
    const live = tf.tidy(() => featureNet(model, spec).apply(x, { training: false }) as tf.Tensor);
    expect(live.shape).toEqual([4, 16]);
    expect(relErr(await live.data(), await manual.data())).toBeLessThanOrEqual(1e-5);

    const { encoder, dispose } = evaluationEncoder(model, spec);
    expect(encoder.outputs[0]!.shape).toEqual([null, 16]);
    const composed = tf.tidy(() => encoder.predict(x) as tf.Tensor);
    expect(relErr(await composed.data(), await live.data())).toBeLessThanOrEqual(1e-6);
    tf.dispose([x, manual, live, composed]);
    dispose();
    expect(tf.memory().numTensors).toBe(before);
  });

  it('the backbone alone when nothing is declared; errors name a missing head or too many layers', () => {
    const before = tf.memory().numTensors;
    const model = buildModel(config(0), data);
    expect(() => featureNet(model, { head: { network: 'predictor', layers: 1 } })).toThrow(/no head network 'predictor' \(it has backbone, projector\)/);
    expect(() => featureNet(model, { head: { network: 'projector', layers: 99 } })).toThrow(/99 layers of 'projector' asked, it has 8/);
    const { encoder, dispose } = evaluationEncoder(model, {});
    expect(encoder).toBe(model.backbone);
    dispose();
    expect(tf.memory().numTensors).toBe(before);
  });
});
