/**
 * Debiased and hard-negative contrastive losses over the 2N views of a batch.
 *
 * DCL: Chuang, Robinson, Lin, Torralba, Jegelka, "Debiased Contrastive Learning", NeurIPS 2020;
 * follows `criterion` in chingyaoc/DCL (main.py). HCL: Robinson, Chuang, Sra, Jegelka,
 * "Contrastive Learning with Hard Negative Samples", ICLR 2021; follows `criterion` with
 * estimator 'hard' in joshr17/HCL (image/main.py). With s = cosine similarity, M = 2N − 2
 * negatives per anchor, pos = exp(s⁺/t), neg_j = exp(s_j/t):
 *   DCL:  Ng = (−τ⁺·M·pos + Σ_j neg_j) / (1 − τ⁺)
 *   HCL:  w_j = neg_j^β,  Ng = (−τ⁺·M·pos + Σ_j w_j·neg_j / mean_j w_j) / (1 − τ⁺)
 *   both: Ng ← max(Ng, M·e^(−1/t));  loss = mean over the 2N anchors of −log(pos / (pos + Ng))
 * Papers' CIFAR defaults: t = 0.5, τ⁺ = 0.1 (HCL β = 1). Inputs are raw: normalised inside.
 */
import * as tf from '@tensorflow/tfjs-core';
import { viewPairs } from './pairs';
import { checkViewPair } from './tensorUtil';

function check(fn: string, z1: tf.Tensor2D, z2: tf.Tensor2D, temperature: number, tauPlus: number): void {
  checkViewPair(fn, z1, z2, temperature);
  if (!(tauPlus >= 0 && tauPlus < 1)) throw new Error(`${fn}: tauPlus must be in [0, 1), got ${tauPlus}`);
}

/** −log(pos / (pos + Ng)) averaged, Ng debiased and clamped as in the official code. */
function debiased(sPos: tf.Tensor1D, weightedNeg: tf.Tensor1D, m: number, temperature: number, tauPlus: number): tf.Scalar {
  const pos = tf.exp(tf.div(sPos, temperature));
  const ng = tf.maximum(tf.div(tf.sub(weightedNeg, tf.mul(pos, tauPlus * m)), 1 - tauPlus), m * Math.exp(-1 / temperature));
  return tf.mean(tf.sub(tf.log(tf.add(pos, ng)), tf.div(sPos, temperature))) as tf.Scalar;
}

/**
 * @param z1 projections of the first views, [N, D], N ≥ 2
 * @param z2 projections of the second views, [N, D]
 * @param temperature t > 0 (0.5 in the paper)
 * @param tauPlus class prior τ⁺ in [0, 1) (0.1)
 */
export function dclLoss(z1: tf.Tensor2D, z2: tf.Tensor2D, temperature: number, tauPlus: number): tf.Scalar {
  check('dclLoss', z1, z2, temperature, tauPlus);
  return tf.tidy(() => {
    const { sim, pos, negMask, negatives } = viewPairs(z1, z2);
    const negSum = tf.sum(tf.mul(tf.exp(tf.div(sim, temperature)), negMask), 1) as tf.Tensor1D;
    return debiased(pos, negSum, negatives, temperature, tauPlus);
  });
}

/**
 * @param z1 projections of the first views, [N, D], N ≥ 2
 * @param z2 projections of the second views, [N, D]
 * @param temperature t > 0 (0.5)
 * @param tauPlus class prior τ⁺ in [0, 1) (0.1)
 * @param beta concentration β ≥ 0 on hard negatives (1; 0 gives DCL)
 */
export function hclLoss(z1: tf.Tensor2D, z2: tf.Tensor2D, temperature: number, tauPlus: number, beta: number): tf.Scalar {
  check('hclLoss', z1, z2, temperature, tauPlus);
  if (!(beta >= 0 && Number.isFinite(beta))) throw new Error(`hclLoss: beta must be a finite number ≥ 0, got ${beta}`);
  return tf.tidy(() => {
    const { sim, pos, negMask, negatives } = viewPairs(z1, z2);
    const logits = tf.div(sim, temperature);
    // w_j·neg_j = exp((β + 1)·s_j/t); mean_j w_j over the M negatives.
    const weighted = tf.sum(tf.mul(tf.exp(tf.mul(logits, beta + 1)), negMask), 1);
    const meanWeight = tf.div(tf.sum(tf.mul(tf.exp(tf.mul(logits, beta)), negMask), 1), negatives);
    return debiased(pos, tf.div(weighted, meanWeight) as tf.Tensor1D, negatives, temperature, tauPlus);
  });
}
