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
 * official `.detach()`), so neither teacherLogits nor center receive one. dinoMultiCropLoss
 * averages it over the (teacher view, other student view) pairs and dinoCenter is the EMA
 * update of the center, both as DINOLoss.forward / update_center (one process); the
 * teacher-temperature warm-up is the caller's.
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

/**
 * DINO's loss over crops (DINOLoss.forward): every teacher (global) view iq against every
 * student view v ≠ iq, the mean of the pairs' dinoLoss. The teacher's views are the first
 * student views (the student sees the globals first, then the locals).
 * @param studentLogits student outputs, one [N, K] per crop (globals first)
 * @param teacherLogits teacher outputs of the global crops, one [N, K] each
 */
export function dinoMultiCropLoss(
  studentLogits: tf.Tensor2D[],
  teacherLogits: tf.Tensor2D[],
  center: tf.Tensor1D,
  studentTemp: number,
  teacherTemp: number,
): tf.Scalar {
  if (teacherLogits.length < 1 || studentLogits.length < 2 || teacherLogits.length > studentLogits.length) {
    throw new Error(`dinoMultiCropLoss: needs 1 ≤ teacher views (${teacherLogits.length}) ≤ student views (${studentLogits.length}) and at least 2 student views`);
  }
  return tf.tidy(() => {
    const pairs: tf.Scalar[] = [];
    teacherLogits.forEach((t, iq) => {
      studentLogits.forEach((s, v) => {
        if (v !== iq) pairs.push(dinoLoss(s, t, center, studentTemp, teacherTemp));
      });
    });
    return tf.div(tf.addN(pairs), pairs.length) as tf.Scalar;
  });
}

/**
 * The center's EMA (update_center): center·m + mean of the teacher outputs of all global views
 * over the rows · (1 − m). Without gradient.
 */
export function dinoCenter(center: tf.Tensor1D, teacherLogits: tf.Tensor2D[], momentum: number): tf.Tensor1D {
  if (!(momentum >= 0 && momentum <= 1)) throw new Error(`dinoCenter: momentum must be in [0, 1], got ${momentum}`);
  teacherLogits.forEach((t, i) => checkMatrix('dinoCenter', `teacherLogits[${i}]`, t));
  return tf.tidy(() => {
    const batchCenter = stopGradient(tf.mean(tf.concat(teacherLogits, 0), 0));
    return tf.add(tf.mul(center, momentum), tf.mul(batchCenter, 1 - momentum)) as tf.Tensor1D;
  });
}
