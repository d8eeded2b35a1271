/**
 * Weighted k-nearest-neighbour classification of embeddings, the standard SSL monitor.
 *
 * Wu, Xiong, Yu, Lin, "Unsupervised Feature Learning via Non-Parametric Instance
 * Discrimination", CVPR 2018, as implemented in `knn_predict` of the official MoCo colab
 * (facebookresearch/moco) and `WeightedKNNClassifier` of solo-learn: cosine similarity
 * between L2-normalised features, the k most similar training rows, each voting for its
 * label with weight exp(s/T); the prediction is the class with the largest summed weight.
 *
 * Memory is B·N for the similarities plus B·k·C for the votes: callers chunk large test sets.
 * k larger than the number of training rows is clamped to it (as solo-learn does).
 */
import * as tf from '@tensorflow/tfjs-core';
import { checkMatrix, checkPositive, l2Normalize } from './tensorUtil';

/**
 * @param trainFeatures [N, D] (raw: normalised inside)
 * @param trainLabels [N] class indices in [0, numClasses), int32 (other dtypes are cast)
 * @param testFeatures [B, D]
 * @param numClasses C ≥ 1
 * @param k neighbours, an integer ≥ 1 (clamped to N)
 * @param temperature T > 0 of the vote weights (0.07 to 0.1 usually)
 * @returns [B] int32, the predicted class of each test row
 */
export function knnPredict(
  trainFeatures: tf.Tensor2D,
  trainLabels: tf.Tensor1D,
  testFeatures: tf.Tensor2D,
  numClasses: number,
  k: number,
  temperature: number,
): tf.Tensor1D {
  checkMatrix('knnPredict', 'trainFeatures', trainFeatures);
  checkMatrix('knnPredict', 'testFeatures', testFeatures);
  const [n, d] = trainFeatures.shape;
  if (testFeatures.shape[1] !== d) {
    throw new Error(`knnPredict: testFeatures must have ${d} features like trainFeatures, got ${testFeatures.shape[1]}`);
  }
  if (trainLabels.rank !== 1 || trainLabels.shape[0] !== n) {
    throw new Error(`knnPredict: trainLabels must be a 1-D tensor of ${n} labels, got shape [${trainLabels.shape.join(', ')}]`);
  }
  if (!Number.isInteger(numClasses) || numClasses < 1) {
    throw new Error(`knnPredict: numClasses must be an integer ≥ 1, got ${numClasses}`);
  }
  if (!Number.isInteger(k) || k < 1) throw new Error(`knnPredict: k must be an integer ≥ 1, got ${k}`);
  checkPositive('knnPredict', 'temperature', temperature);
  return tf.tidy(() => {
    const sim = tf.matMul(l2Normalize(testFeatures), l2Normalize(trainFeatures), false, true); // [B, N]
    const { values, indices } = tf.topk(sim, Math.min(k, n));
    const labels = trainLabels.dtype === 'int32' ? trainLabels : tf.cast(trainLabels, 'int32');
    const neighbourLabels = tf.gather(labels, indices) as tf.Tensor; // [B, k]
    // One-hot votes [B, k, C] by comparison, not tf.oneHot: stock wasm 4.22's OneHot with a
    // float32 dtype writes the integer bit pattern (1 reads as 1.4e-45).
    const classes = tf.range(0, numClasses, 1, 'int32');
    const votes = tf.cast(tf.equal(tf.expandDims(neighbourLabels, 2), classes), 'float32');
    const weights = tf.expandDims(tf.exp(tf.div(values, temperature)), 2); // [B, k, 1]
    return tf.argMax(tf.sum(tf.mul(votes, weights), 1), 1) as tf.Tensor1D;
  });
}
