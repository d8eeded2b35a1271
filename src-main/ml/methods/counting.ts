/**
 * Learning to count (Noroozi, Pirsiavash & Favaro, Representation Learning by Learning to Count,
 * ICCV 2017). The authors' release is Caffe; this follows the paper's eq. 3–6 (losses/counting.ts):
 * φ, the counting vector, must be equivariant to tiling, φ(D∘x) = Σ_j φ(T_j∘x) over the 2×2
 * tiles T_j of the view and its 2× downsampling D, and a contrastive term keeps the counts of
 * another image y at least M = 10 (squared distance) away from that sum:
 * ℓ = ‖φ(D∘x) − Σ_j φ(T_j∘x)‖² + max(0, M − ‖φ(D∘y) − Σ_j φ(T_j∘x)‖²).
 * φ is the shared backbone (applied to the five half-size images in one batch) followed by
 * Linear → ReLU → Linear → ReLU to `counts` (1000 in the paper, its fc8 with ReLU: counts are
 * non-negative). y is another image of the batch: the batch rolled by a shift in [1, n − 1]
 * drawn per step from the run's seed (stepSeed), so φ(D∘y) is a rolled copy of φ(D∘x).
 * Deliberate differences: D is the 2×2 average (area downsampling) only, where the paper draws
 * the downsampling among bilinear, bicubic, Lanczos and area to avoid a shortcut; the loss is
 * the batch mean, not the sum; the view is a random square crop of the image (scale 0.6–1,
 * flipped at random) of even size; the recipe (SGD lr 0.01, momentum 0.9, weight decay 5e-4,
 * batch 128) is jigsaw's, not the paper's Caffe solver. The encoder is evaluated on the whole
 * image, as every method's.
 */
import * as tf from '@tensorflow/tfjs-core';
import { mlpHead, run } from '../heads/mlp';
import { countingTerms } from '../losses/counting';
import { Rng } from '../../core/rng';
import { num, positiveInt, stepSeed } from './common';
import { defineModel } from './model';
import type { MethodDefinition } from './types';

/** The 2× downsampling (2×2 average) of the views and their 2×2 tiles, row i·4 + j = tile j (row-major) of image i. */
export function countingPieces(x: tf.Tensor4D): { down: tf.Tensor4D; tiles: tf.Tensor4D } {
  const [n, h, w, c] = x.shape;
  if (h !== w || h % 2 !== 0) throw new Error(`counting: views must be square with an even side, got ${h}×${w}`);
  return tf.tidy(() => {
    const s = h / 2;
    const down = tf.avgPool(x, 2, 2, 'valid');
    const quads = [0, 1, 2, 3].map((j) => tf.slice(x, [0, Math.floor(j / 2) * s, (j % 2) * s, 0], [n, s, s, c]));
    const tiles = tf.reshape(tf.stack(quads, 1), [n * 4, s, s, c]) as tf.Tensor4D;
    return { down, tiles };
  });
}

export const counting: MethodDefinition = {
  name: 'counting',
  summary: 'pretext task: counts of the downsampled image equal the sum over its 2×2 tiles, another image’s stay away',
  reference: 'Noroozi, Pirsiavash & Favaro, Representation Learning by Learning to Count (ICCV 2017); code: the authors’ Caffe release (eq. 3–6 of the paper followed)',
  preset: (size) => [
    { name: 'whole', size: 2 * Math.floor(size / 2), crop: { scale: [0.6, 1], ratio: [1, 1] }, flipProb: 0.5, colorJitter: null, grayscaleProb: 0, blur: null, solarize: null },
  ],
  params: { counts: 1000, hidden: 1024, margin: 10 },
  train: { optimizer: 'sgd', lr: 0.01, weightDecay: 5e-4, momentum: 0.9, batch: 128, warmupEpochs: 0, eta: 0.02, excludeBiasAndNorm: false },
  validate(p) {
    positiveInt(p, 'counts');
    positiveInt(p, 'hidden');
    const m = num(p, 'margin');
    if (m <= 0) throw new Error(`option margin must be a positive number, got ${m}`);
  },
  build(makeBackbone, featureDim, p) {
    const backbone = makeBackbone();
    const k = positiveInt(p, 'counts');
    const margin = num(p, 'margin');
    const head = mlpHead('counting-head', featureDim, [
      { out: positiveInt(p, 'hidden'), batchNorm: false, relu: true },
      { out: k, batchNorm: false, relu: true },
    ]);
    return defineModel(
      { backbone, heads: { head } },
      {
        loss: (input) => {
          const x = input.views[0]!;
          const n = x.shape[0];
          if (n < 2) throw new Error(`counting: the contrastive image y is another image of the batch; a batch of ${n} has none`);
          const { down, tiles } = countingPieces(x);
          const phi = run(head, run(backbone, tf.concat([down, tiles], 0), true), true) as tf.Tensor2D;
          const phiDown = tf.slice(phi, [0, 0], [n, k]);
          const tileSum = tf.sum(tf.reshape(tf.slice(phi, [n, 0], [4 * n, k]), [n, 4, k]), 1) as tf.Tensor2D;
          const shift = new Rng(stepSeed(input, 23)).int(1, n - 1);
          // row i of y is image (i + shift) mod n; slices and a concat (Gather has no gradient kernel on wasm)
          const other = tf.concat([tf.slice(phiDown, [shift, 0], [n - shift, k]), tf.slice(phiDown, [0, 0], [shift, k])], 0);
          const terms = countingTerms(phiDown, tileSum, other, margin);
          return { loss: tf.add(terms.equal, terms.contrast) as tf.Scalar, metrics: { equal: terms.equal, contrast: terms.contrast } };
        },
      },
    );
  },
};
