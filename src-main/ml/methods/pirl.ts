/**
 * PIRL, Pretext-Invariant Representation Learning (Misra & van der Maaten, CVPR 2020). The
 * authors released no code; this follows facebookresearch/vissl's PIRL: the configs under
 * configs/config/pretrain/pirl/, the heads (a per-tile projection, `siamese_concat_view` of the
 * 9 tiles, a projection of the concatenation) and the loss vissl/losses/nce_loss.py
 * (`nce_loss_with_memory`, NCECriterion on exp(s/τ)/Z with negatives from a memory bank).
 *
 * Two views of each image: the image v_I, and its jigsaw transform v_{I^t} (3×3 tiles with gap
 * and jitter, shuffled by one permutation of a set, as jigsaw.ts's view). f(v_I): backbone →
 * Linear to `projOut`; g(v_{I^t}): each tile through the shared backbone → Linear to `projOut`,
 * the 9 projections concatenated in the shuffled order → Linear to `projOut`. Both L2-normalised.
 * A memory bank (blocks/memoryBank.ts) holds m_I, the moving average (momentum 0.5) of f(v_I)
 * of every train image; the loss is
 *   λ·L_NCE(m_I, g(v_{I^t})) + (1 − λ)·L_NCE(m_I, f(v_I)),  λ 0.5, τ 0.07,
 * each term losses/nce.ts on the positive m_I and K negatives m_{I'} drawn from the bank; the
 * two terms are logged as `jigsaw` and `image` (weighted, so they sum to the loss).
 * The encoder is evaluated on the whole image's backbone features, as every method's.
 *
 * Deliberate differences: K (4,096) negatives drawn once per batch from the seeded step stream
 * and shared by its images and by both terms (as instdisc.ts; vissl draws 32,000 per image);
 * Z is estimated once, on the first batch's image term (mean · n), and used by both terms;
 * the bank is updated after the step with f(v_I) only (the paper's m_I); the views are
 * Pretext's (instdisc's view for the image, jigsaw's tiles for the transform, no per-tile
 * standardisation so that tiles and image share their statistics); SGD with weight decay 1e-4
 * and momentum 0.9 as the paper, lr 0.03 per 256 images, batch 128.
 */
import * as tf from '@tensorflow/tfjs-core';
import { Rng } from '../../core/rng';
import { PretextError } from '../../core/errors';
import { MemoryBank } from '../blocks';
import { mlpHead, run } from '../heads/mlp';
import { l2Normalize, nceLoss, stopGradient } from '../losses';
import { num, positiveInt, sgdDefaults, stepSeed } from './common';
import { instdiscView } from './instdisc';
import { jigsawGeometry } from './jigsaw';
import { defineModel } from './model';
import { checkTemperature, linearHead } from './pair';
import { taskSpecOf } from './taskCommon';
import type { MethodDefinition } from './types';

const GRID = 3;
const TILES = GRID * GRID;

export const pirl: MethodDefinition = {
  name: 'pirl',
  summary: 'NCE between a memory bank of image embeddings and the embeddings of the image and of its jigsaw tiles',
  reference: 'Misra & van der Maaten, Self-Supervised Learning of Pretext-Invariant Representations (CVPR 2020); code: github.com/facebookresearch/vissl (PIRL)',
  preset: (size) => {
    const { cell, gap } = jigsawGeometry(size);
    return [
      instdiscView(size, 'image'),
      {
        ...instdiscView(GRID * cell, 'jigsaw'),
        crop: { scale: [0.6, 1], ratio: [1, 1] },
        task: { kind: 'tiles', grid: GRID, gap, jitter: true, permutations: 100, permutationSeed: 0 },
      },
    ];
  },
  params: { projOut: 128, negatives: 4096, temperature: 0.07, bankMomentum: 0.5, lambda: 0.5 },
  train: { ...sgdDefaults(0.03, 1e-4, 0), batch: 128 },
  validate(p) {
    checkTemperature(num(p, 'temperature'));
    positiveInt(p, 'negatives');
    positiveInt(p, 'projOut');
    const m = num(p, 'bankMomentum');
    if (!(m >= 0 && m <= 1)) throw new Error(`option bankMomentum must be in [0, 1], got ${m}`);
    const l = num(p, 'lambda');
    if (!(l >= 0 && l <= 1)) throw new Error(`option lambda must be in [0, 1], got ${l}`);
  },
  build(makeBackbone, featureDim, p, _classes, data) {
    const n = data.trainIndices.length;
    if (n < 2) throw new PretextError('pirl needs the train split to build its memory bank');
    const out = positiveInt(p, 'projOut');
    const [k, temperature, momentum, lambda] = [positiveInt(p, 'negatives'), num(p, 'temperature'), num(p, 'bankMomentum'), num(p, 'lambda')];
    const rowOf = new Map(data.trainIndices.map((idx, row) => [idx, row]));
    const backbone = makeBackbone();
    const imageHead = mlpHead('pirl-image-head', featureDim, linearHead(out));
    const tileHead = mlpHead('pirl-tile-head', featureDim, linearHead(out));
    const jigsawHead = mlpHead('pirl-jigsaw-head', TILES * out, linearHead(out));
    const bank = new MemoryBank(n, out, 1200);
    // Z of the non-parametric softmax; −1 until the first batch sets it.
    const z = tf.tidy(() => tf.variable(tf.scalar(-1), false));
    let pending: { rows: tf.Tensor1D; features: tf.Tensor2D } | null = null;
    return defineModel(
      { backbone, heads: { imageHead, tileHead, jigsawHead }, buffers: { nceZ: z }, blocks: { bank } },
      {
        loss: (input) => {
          taskSpecOf(input.specs, 'pirl', 'tiles', 1);
          const [image, tiles] = [input.views[0]!, input.views[1]];
          if (!tiles || tiles.shape[0] !== image.shape[0] * TILES) {
            throw new Error(`pirl: view 1 must hold ${TILES} tiles per image of view 0 (${image.shape[0]} images), got ${tiles ? tiles.shape[0] : 'no view'}`);
          }
          const rows = tf.tensor1d(Int32Array.from(input.indices.dataSync(), (i) => rowOf.get(i) ?? -1), 'int32');
          if (rows.dataSync().some((r) => r < 0)) throw new Error('pirl: a batch image outside the train split');
          const rng = new Rng(stepSeed(input));
          const noise = tf.tensor1d(Int32Array.from({ length: k }, () => Math.floor(rng.next() * n)), 'int32');
          const b = image.shape[0];
          const f = l2Normalize(run(imageHead, run(backbone, image, true), true));
          const tileEmb = run(tileHead, run(backbone, tiles, true), true);
          const g = l2Normalize(run(jigsawHead, tf.reshape(tileEmb, [b, TILES * out]), true));
          const positives = bank.gather(rows);
          const negatives = bank.gather(noise);
          const scores = (v: tf.Tensor2D) => {
            const sPos = tf.sum(tf.mul(v, positives), 1, true);
            const sNeg = tf.matMul(v, negatives, false, true);
            return tf.exp(tf.div(tf.concat([sPos, sNeg], 1), temperature)) as tf.Tensor2D;
          };
          const eImage = scores(f);
          const eJigsaw = scores(g);
          if (z.dataSync()[0]! < 0) z.assign(tf.mul(tf.mean(stopGradient(eImage)), n));
          pending = { rows: tf.keep(rows), features: tf.keep(stopGradient(f)) };
          const jigsawTerm = tf.mul(nceLoss(tf.div(eJigsaw, z) as tf.Tensor2D, n), lambda) as tf.Scalar;
          const imageTerm = tf.mul(nceLoss(tf.div(eImage, z) as tf.Tensor2D, n), 1 - lambda) as tf.Scalar;
          return { loss: tf.add(jigsawTerm, imageTerm), metrics: { jigsaw: jigsawTerm, image: imageTerm } };
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
