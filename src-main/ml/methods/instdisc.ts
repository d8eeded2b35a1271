/**
 * Instance discrimination (Wu et al. 2018, zhirongw/lemniscate.pytorch): every training image
 * is its own class; a memory bank holds one L2-normalised 128-d embedding per image, and a
 * non-parametric softmax P(i|v) = exp(v·m_i/τ)/Z is trained by NCE against K noise entries
 * drawn uniformly from the bank (losses/nce.ts); after each step the batch's entries move to
 * the new embeddings with momentum 0.5. Z is estimated once, on the first batch
 * (mean · n, as lib/NCEAverage.py does), and kept as a checkpointed buffer.
 * Defaults from the official CIFAR recipe, cifar.py (the small-image one; main.py is ImageNet's
 * with τ 0.07): linear head to 128, K 4,096, τ 0.1, m 0.5; SGD lr 0.03 at batch 128 (0.06 per
 * 256 images here, as Pretext's lr scales by batch/256), momentum 0.9, weight decay 5e-4, no
 * warm-up. One view per image: RandomResizedCrop (scale 0.2–1), colour jitter 0.4 on all four
 * (hue 0.4 capped at 0.5 here), grayscale 0.2, no flip (commented out in cifar.py).
 * What the first epochs look like, and that they are the reference's: build/scripts/
 * instdisc_peer.py runs cifar.py's recipe in PyTorch on a workspace's images; on the
 * Fashion-MNIST sample (small ResNet, width 0.5, seed 1) its kNN falls from 60.9 % at init to
 * 33.1 % after epoch 1, 44.6 %, 42.1 %, 41.8 %, 44.6 % after epochs 2–5, while the NCE loss
 * climbs from 9.6 to 50–95 (Z is fixed on the first batch and the bank fills with similar
 * embeddings); at τ 0.07 the loss reaches ~870 in one epoch, as in Pretext. Pretext with these
 * defaults on the same recipe: 47.7 % and 53.3 % after epochs 1 and 2, loss 9.8 → 178.
 * Differences from the official code: the K noise entries are drawn once per batch and shared by
 * its images (there, per image: B·(K+1) gathered rows, 537 MB at B 256), from the seeded step
 * stream (stepSeed), with replacement; the lr follows Pretext's schedule (cosine) where cifar.py
 * keeps it constant for 80 epochs and then divides it by 10 every 40.
 */
import * as tf from '@tensorflow/tfjs-core';
import { Rng } from '../../core/rng';
import { MemoryBank } from '../blocks';
import { mlpHead } from '../heads/mlp';
import { l2Normalize, nceLoss, stopGradient } from '../losses';
import { forward, num, positiveInt, sgdDefaults, stepSeed } from './common';
import { defineModel } from './model';
import { checkTemperature, linearHead } from './pair';
import type { MethodDefinition } from './types';
import type { ViewSpec } from '../augment';
import { PretextError } from '../../core/errors';

/**
 * The view of lemniscate's main.py (and MoCo v1's main_moco.py): RandomResizedCrop scale
 * 0.2–1, grayscale 0.2, colour jitter 0.4 on all four, always applied, flip, no blur;
 * lemniscate's cifar.py has no flip (flipProb 0).
 */
export const instdiscView = (size: number, name: string, flipProb = 0.5): ViewSpec => ({
  name,
  size,
  crop: { scale: [0.2, 1], ratio: [3 / 4, 4 / 3] },
  flipProb,
  colorJitter: { prob: 1, brightness: 0.4, contrast: 0.4, saturation: 0.4, hue: 0.4 },
  grayscaleProb: 0.2,
  blur: null,
  solarize: null,
});

export const instdisc: MethodDefinition = {
  name: 'instdisc',
  summary: 'instance discrimination: NCE against a memory bank of every training image',
  reference: 'Wu et al., Unsupervised Feature Learning via Non-Parametric Instance Discrimination (CVPR 2018); code: github.com/zhirongw/lemniscate.pytorch',
  preset: (size) => [instdiscView(size, 'view-1', 0)],
  params: { projOut: 128, negatives: 4096, temperature: 0.1, bankMomentum: 0.5 },
  train: { ...sgdDefaults(0.06, 5e-4, 0), batch: 128 },
  validate(p) {
    checkTemperature(num(p, 'temperature'));
    positiveInt(p, 'negatives');
    const m = num(p, 'bankMomentum');
    if (!(m >= 0 && m <= 1)) throw new Error('option bankMomentum must be in [0, 1]');
  },
  build(makeBackbone, featureDim, p, _classes, data) {
    const n = data.trainIndices.length;
    if (n < 2) throw new PretextError('instdisc needs the train split to build its memory bank');
    const out = positiveInt(p, 'projOut');
    const [k, temperature, momentum] = [positiveInt(p, 'negatives'), num(p, 'temperature'), num(p, 'bankMomentum')];
    const rowOf = new Map(data.trainIndices.map((idx, row) => [idx, row]));
    const backbone = makeBackbone();
    const head = mlpHead('instdisc-head', featureDim, linearHead(out));
    const bank = new MemoryBank(n, out, 1200);
    // Z of the non-parametric softmax; −1 until the first batch sets it.
    const z = tf.tidy(() => tf.variable(tf.scalar(-1), false));
    let pending: { rows: tf.Tensor1D; features: tf.Tensor2D } | null = null;
    return defineModel(
      { backbone, heads: { head }, buffers: { nceZ: z }, blocks: { bank } },
      {
        loss: (input) => {
          const rows = tf.tensor1d(Int32Array.from(input.indices.dataSync(), (i) => rowOf.get(i) ?? -1), 'int32');
          if (rows.dataSync().some((r) => r < 0)) throw new Error('instdisc: a batch image outside the train split');
          const rng = new Rng(stepSeed(input));
          const noise = tf.tensor1d(Int32Array.from({ length: k }, () => Math.floor(rng.next() * n)), 'int32');
          const v = l2Normalize(forward(input.views[0]!, backbone, head));
          const sPos = tf.sum(tf.mul(v, bank.gather(rows)), 1, true);
          const sNeg = tf.matMul(v, bank.gather(noise), false, true);
          const e = tf.exp(tf.div(tf.concat([sPos, sNeg], 1), temperature)) as tf.Tensor2D;
          if (z.dataSync()[0]! < 0) z.assign(tf.mul(tf.mean(stopGradient(e)), n));
          pending = { rows: tf.keep(rows), features: tf.keep(stopGradient(v)) };
          return { loss: nceLoss(tf.div(e, z) as tf.Tensor2D, n) };
        },
        afterStep: () => {
          if (!pending) return;
          bank.update(pending.rows, pending.features, momentum);
          tf.dispose([pending.rows, pending.features]);
          pending = null;
        },
      },
    );
  },
};
