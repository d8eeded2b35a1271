/**
 * DINO's self-distillation cross-entropy.
 *
 * Caron et al., "Emerging Properties in Self-Supervised Vision Transformers", ICCV 2021.
 * Follows `DINOLoss.forward` in facebookresearch/dino (main_dino.py) for one (teacher view,
 * student view) pair:
 *   q    = softmax((teacher − center) / teacherTemp).detach()
 *   loss = mean over the batch of Σ_k −q_k · log_softmax(student / studentTemp)_k
 *
 * The teacher side carries no gradient (computed through a stop-gradient here, as the
 * official `.detach()`), so neither teacherLogits nor center receive one. Averaging over view
 * pairs, the teacher-temperature warm-up and the EMA update of the center are the caller's.
 */
import * as tf from '@tensorflow/tfjs-core';
import { checkMatrix, checkPositive, checkSameShape, stopGradient } from './tensorUtil';

/**
 * @param studentLogits student head outputs, [N, K]
 * @param teacherLogits teacher head outputs for the other view, [N, K]
 * @param center running center of the teacher outputs, [K]
 * @param studentTemp student temperature (0.1 in the paper)
 * @param teacherTemp teacher temperature (0.04 to 0.07 in the paper)
 * @returns a scalar, the mean cross-entropy over the batch
 */
export function dinoLoss(
  studentLogits: tf.Tensor2D,
  teacherLogits: tf.Tensor2D,
  center: tf.Tensor1D,
  studentTemp: number,
  teacherTemp: number,
): tf.Scalar {
  checkMatrix('dinoLoss', 'studentLogits', studentLogits);
  checkSameShape('dinoLoss', 'studentLogits', studentLogits, 'teacherLogits', teacherLogits);
  if (center.rank !== 1 || center.shape[0] !== studentLogits.shape[1]) {
    throw new Error(
      `dinoLoss: center must be a 1-D tensor of ${studentLogits.shape[1]} values, got shape [${center.shape.join(', ')}]`,
    );
  }
  checkPositive('dinoLoss', 'studentTemp', studentTemp);
  checkPositive('dinoLoss', 'teacherTemp', teacherTemp);
  return tf.tidy(() => {
    const q = stopGradient(tf.softmax(tf.div(tf.sub(teacherLogits, center), teacherTemp)));
    const logP = tf.logSoftmax(tf.div(studentLogits, studentTemp));
    return tf.mean(tf.neg(tf.sum(tf.mul(q, logP), 1))) as tf.Scalar;
  });
}
