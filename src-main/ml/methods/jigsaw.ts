/**
 * Jigsaw puzzles (Noroozi & Favaro 2016; the PyTorch code by bbrattoli, JigsawPuzzlePytorch:
 * JigsawNetwork.py, JigsawImageLoader.py, select_permutations.py): the view cut into 3×3 cells,
 * a tile from each at a random offset (gap and jitter), shuffled by one permutation of a set
 * chosen by maximal Hamming distance (augment/permutations.ts; its size `permutations`, default
 * 100, generated deterministically from `permutationSeed`, both recorded in the run's params),
 * each tile standardised on its own (the loader's per-tile normalisation), the shared tile
 * encoder (the backbone) on each tile, the 9 features concatenated in the shuffled order →
 * Linear → ReLU → Linear over the permutation set. Cross-entropy on the permutation index.
 *
 * Scaled to small images: cells of max(14, ⌊0.85·size/3⌋) px (the loader's 75-px cells of a
 * 225-px crop), tiles of cell − gap with gap ≈ 11/75 of the cell (64-px tiles in 75-px cells).
 * JigsawNetwork's per-tile fc6 (1024) and fc7 (4096) become one hidden layer of `hidden` units.
 * Recipe of the loader and JigsawTrain.py: random square crop, grayscale with p 0.3, SGD lr 0.01,
 * momentum 0.9, weight decay 5e-4; batch 128 here (the official 256). The encoder is evaluated
 * on the whole image, as every method's.
 */
import * as tf from '@tensorflow/tfjs-core';
import { num, positiveInt } from './common';
import { run } from '../heads/mlp';
import { defineModel } from './model';
import { classification, classifierHead, standardizePieces, targetsOf, taskSpecOf } from './taskCommon';
import type { MethodDefinition, Params } from './types';

const GRID = 3;

/** Cell side and gap of the tiles for images of `size` px. */
export function jigsawGeometry(size: number): { cell: number; gap: number } {
  const cell = Math.max(14, Math.floor((0.85 * size) / GRID));
  return { cell, gap: Math.max(1, Math.round((cell * 11) / 75)) };
}

export const jigsaw: MethodDefinition = {
  name: 'jigsaw',
  summary: 'pretext task: which permutation of a maximal-Hamming set shuffled the 3×3 tiles',
  reference: 'Noroozi & Favaro, Unsupervised Learning of Visual Representations by Solving Jigsaw Puzzles (ECCV 2016); code: github.com/bbrattoli/JigsawPuzzlePytorch',
  preset: (size, params?: Params) => {
    const { cell, gap } = jigsawGeometry(size);
    const p = params ?? jigsaw.params;
    return [
      {
        name: 'tiles',
        size: GRID * cell,
        crop: { scale: [0.6, 1], ratio: [1, 1] },
        flipProb: 0,
        colorJitter: null,
        grayscaleProb: 0.3,
        blur: null,
        solarize: null,
        task: { kind: 'tiles', grid: GRID, gap, jitter: true, permutations: num(p, 'permutations'), permutationSeed: num(p, 'permutationSeed') },
      },
    ];
  },
  params: { permutations: 100, permutationSeed: 0, hidden: 1024 },
  train: { optimizer: 'sgd', lr: 0.01, weightDecay: 5e-4, momentum: 0.9, batch: 128, warmupEpochs: 0, eta: 0.02, excludeBiasAndNorm: false },
  validate(p) {
    const n = positiveInt(p, 'permutations');
    if (n < 2 || n > 362880) throw new Error(`option permutations must be in [2, 362880] (orders of 9 tiles), got ${n}`);
    const s = num(p, 'permutationSeed');
    if (!Number.isInteger(s) || s < 0) throw new Error(`option permutationSeed must be a non-negative integer, got ${s}`);
    positiveInt(p, 'hidden');
  },
  build(makeBackbone, featureDim, p) {
    const backbone = makeBackbone();
    const classes = positiveInt(p, 'permutations');
    const tiles = GRID * GRID;
    const classifier = classifierHead('jigsaw-classifier', tiles * featureDim, positiveInt(p, 'hidden'), classes);
    return defineModel(
      { backbone, heads: { classifier } },
      {
        loss: (input) => {
          const task = taskSpecOf(input.specs, 'jigsaw', 'tiles');
          if (task.kind === 'tiles' && task.permutations !== classes) {
            throw new Error(`jigsaw: the view's permutation set has ${task.permutations} entries, the classifier ${classes}`);
          }
          const x = input.views[0]!;
          const feats = run(backbone, standardizePieces(x), true);
          const n = x.shape[0] / tiles;
          const logits = run(classifier, tf.reshape(feats, [n, tiles * featureDim]), true);
          return classification(logits, targetsOf(input, 'jigsaw'));
        },
      },
    );
  },
};
