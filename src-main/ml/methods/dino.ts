/**
 * DINO (Caron et al. 2021) on a ResNet. Follows facebookresearch/dino main_dino.py (DINOLoss,
 * train_one_epoch) and vision_transformer.py (DINOHead), and solo-learn methods/dino.py with its
 * cifar/dino.yaml defaults: head Linear 2048 → BN → GELU → Linear 2048 → BN → GELU → Linear 256
 * (truncated-normal std 0.02 weights, zero biases), L2-normalised, then a weight-normalised
 * last layer of 4,096 outputs (norm_last_layer false: its gain trains); an EMA teacher (τ from
 * 0.9995 to 1 on a cosine) sees the 2 global crops, the student all crops (2 + 8, preset
 * dino-cifar); student temperature 0.1, teacher temperature warmed up linearly from 0.04 to 0.07;
 * the teacher's outputs centred, the center an EMA with momentum 0.9; each gradient clipped to
 * norm 3.0 (utils.clip_gradients); the last layer gets no update in the first epoch
 * (cancel_gradients_last_layer); LARS lr 0.3, weight decay 1e-6, η 0.02.
 *
 * On a ViT backbone the official ViT recipe replaces the optimiser settings (backboneDefaults,
 * main_dino.py's defaults): AdamW, lr 5e-4 per 256 images, weight decay 0.04 without it on
 * biases and norms (utils.get_params_groups), 10 warm-up epochs, teacher momentum 0.996, last
 * layer weight-normalised with a fixed gain (norm_last_layer true); the 65,536 prototypes stay
 * scaled down to 4,096 as on the ResNet. The user's options still win.
 *
 * `evalPool` picks a ViT's evaluated features (EvaluationSpec.pooling): 'cls', the class token
 * as the paper evaluates, or 'mean', the mean of the patch tokens (eval_linear.py's
 * --avgpool_patchtokens concatenates that mean to the class token; the concatenation is not
 * offered). A ResNet ignores it.
 *
 * Deliberate differences:
 * - main_dino.py raises the weight decay from 0.04 to 0.4 on a cosine over the run; the trainer
 *   has no weight-decay schedule, so a ViT run keeps 0.04 throughout.
 * - The head keeps its batch norm on a ViT (main_dino.py's use_bn_in_head is false there).
 * - The teacher temperature warms up over the first `teacherTempWarmup` share of the run's steps
 *   (0.1: the official recipe's 30 of 300 epochs), per step instead of per epoch, so a short run
 *   has a warm-up at all.
 * - Multi-crop 2 + 8 as the paper; solo-learn's cifar recipe has the 2 global crops only.
 * - The last layer's weights are excluded from the gradient before the clipping (the official
 *   code clips, then drops them): with per-parameter clipping the two orders are the same.
 * Metrics: `teacher_entropy` (mean entropy of the teacher's sharpened distributions) and `kl`
 * (the loss minus it: the mean KL divergence of the student's from the teacher's).
 */
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { isViTBackbone } from '../backbones/registry';
import { WeightNormDense } from '../blocks';
import { dinoCenter, dinoMultiCropLoss, stopGradient } from '../losses';
import { clipGradients, withoutGradients } from '../train/gradients';
import { cosineMomentum } from '../train/schedule';
import { MomentumPair, forward, larsDefaults, num, positiveInt } from './common';
import { defineModel } from './model';
import { checkTemperature } from './pair';
import type { MethodDefinition, StepInput } from './types';

const GLOBAL_CROPS = 2;

/** DINOHead with batch norm (solo-learn's, num_layers 3): MLP → normalize → weight-normed linear. */
function dinoHead(name: string, inDim: number, hidden: number, bottleneck: number, out: number, normLast: boolean): tfl.Sequential {
  const head = tfl.sequential({ name });
  const dense = (units: number, first = false) =>
    tfl.layers.dense({ units, kernelInitializer: tfl.initializers.truncatedNormal({ stddev: 0.02 }), biasInitializer: 'zeros', ...(first ? { inputShape: [inDim] } : {}) });
  head.add(dense(hidden, true));
  for (const last of [false, true]) {
    head.add(tfl.layers.batchNormalization({ momentum: 0.9, epsilon: 1e-5 }));
    head.add(tfl.layers.activation({ activation: 'gelu' }));
    head.add(dense(last ? bottleneck : hidden));
  }
  head.add(new WeightNormDense({ units: out, normalized: normLast, name: `${name}-last` }));
  return head;
}

/** The teacher temperature of a step: linear from warm to final over the warm-up share of the run. */
export function teacherTemperature(input: Pick<StepInput, 'step' | 'totalSteps'>, warm: number, final: number, share: number): number {
  const warmupSteps = Math.round(share * input.totalSteps);
  if (input.step >= warmupSteps) return final;
  return warm + ((final - warm) * input.step) / warmupSteps;
}

export const dino: MethodDefinition = {
  name: 'dino',
  summary: 'self-distillation: a student matches an EMA teacher\'s centred, sharpened outputs, multi-crop',
  reference: 'Caron et al., Emerging Properties in Self-Supervised Vision Transformers (ICCV 2021)',
  preset: 'dino',
  params: {
    projHidden: 2048,
    projOut: 256,
    prototypes: 4096,
    normLastLayer: false,
    studentTemp: 0.1,
    warmupTeacherTemp: 0.04,
    teacherTemp: 0.07,
    teacherTempWarmup: 0.1,
    centerMomentum: 0.9,
    baseTau: 0.9995,
    finalTau: 1,
    clipGrad: 3,
    freezeLastLayerEpochs: 1,
    evalPool: 'cls',
  },
  train: larsDefaults(0.3, 1e-6),
  backboneDefaults: (backbone) =>
    isViTBackbone(backbone)
      ? {
          train: { optimizer: 'adamw', lr: 5e-4, weightDecay: 0.04, warmupEpochs: 10, excludeBiasAndNorm: true },
          params: { baseTau: 0.996, normLastLayer: true },
          note: 'DINO ViT recipe (facebookresearch/dino main_dino.py): AdamW lr 5e-4 per 256, weight decay 0.04 (constant: the official 0.04→0.4 cosine needs a schedule the trainer lacks), teacher momentum 0.996, norm_last_layer',
        }
      : undefined,
  validate(p) {
    for (const k of ['studentTemp', 'warmupTeacherTemp', 'teacherTemp']) checkTemperature(num(p, k), k);
    for (const k of ['projHidden', 'projOut', 'prototypes']) positiveInt(p, k);
    const share = num(p, 'teacherTempWarmup');
    if (!(share >= 0 && share <= 1)) throw new Error('option teacherTempWarmup (a share of the run) must be in [0, 1]');
    const m = num(p, 'centerMomentum');
    if (!(m >= 0 && m <= 1)) throw new Error('option centerMomentum must be in [0, 1]');
    const [base, final] = [num(p, 'baseTau'), num(p, 'finalTau')];
    if (!(base >= 0 && base <= final && final <= 1)) throw new Error('options need 0 ≤ baseTau ≤ finalTau ≤ 1');
    if (!(num(p, 'clipGrad') >= 0)) throw new Error('option clipGrad must be ≥ 0 (0: no clipping)');
    const f = num(p, 'freezeLastLayerEpochs');
    if (!(Number.isInteger(f) && f >= 0)) throw new Error(`option freezeLastLayerEpochs must be an integer ≥ 0, got ${f}`);
    if (p['evalPool'] !== 'cls' && p['evalPool'] !== 'mean') throw new Error(`option evalPool must be 'cls' or 'mean', got '${String(p['evalPool'])}'`);
  },
  evaluation: (p) => ({ pooling: p['evalPool'] === 'mean' ? 'mean' : 'cls' }),
  build(makeBackbone, featureDim, p) {
    const dims = [positiveInt(p, 'projHidden'), positiveInt(p, 'projOut'), positiveInt(p, 'prototypes')] as const;
    const normLast = p['normLastLayer'] === true;
    const backbone = makeBackbone();
    const head = dinoHead('dino-head', featureDim, ...dims, normLast);
    const teacherBackbone = makeBackbone();
    const teacherHead = dinoHead('dino-teacher-head', featureDim, ...dims, normLast);
    const pair = new MomentumPair([backbone, head], [teacherBackbone, teacherHead]);
    const center = tf.tidy(() => tf.variable(tf.zeros([dims[2]]), false));
    const lastLayer = () => head.layers.at(-1)!.trainableWeights.map((w) => w.read() as tf.Variable);
    const temps = (input: StepInput) => ({
      student: num(p, 'studentTemp'),
      teacher: teacherTemperature(input, num(p, 'warmupTeacherTemp'), num(p, 'teacherTemp'), num(p, 'teacherTempWarmup')),
    });
    return defineModel(
      { backbone, heads: { head }, copies: { teacherBackbone, teacherHead }, buffers: { center } },
      {
        targets: ({ views }) => views.slice(0, GLOBAL_CROPS).map((v) => tf.tidy(() => pair.targetForward(v))),
        loss: (input, teacher) => {
          const t = temps(input);
          const student = input.views.map((v) => forward(v, backbone, head));
          const c = center as tf.Tensor as tf.Tensor1D;
          const loss = dinoMultiCropLoss(student, teacher as tf.Tensor2D[], c, t.student, t.teacher);
          const entropies = teacher.map((z) => {
            const q = stopGradient(tf.softmax(tf.div(tf.sub(z, c), t.teacher)));
            return tf.mean(tf.neg(tf.sum(tf.mul(q, tf.log(tf.maximum(q, 1e-12))), 1)));
          });
          const entropy = tf.div(tf.addN(entropies), entropies.length) as tf.Scalar;
          return { loss, metrics: { teacher_entropy: entropy, kl: tf.sub(loss, entropy) as tf.Scalar } };
        },
        beforeApply: (grads, { epoch }) => {
          const kept = epoch < num(p, 'freezeLastLayerEpochs') ? withoutGradients(grads, lastLayer()) : grads;
          const clip = num(p, 'clipGrad');
          return clip > 0 ? clipGradients(kept, clip, 'each') : kept;
        },
        afterStep: ({ step, totalSteps }, teacher) => {
          tf.tidy(() => center.assign(dinoCenter(center as tf.Tensor as tf.Tensor1D, teacher as tf.Tensor2D[], num(p, 'centerMomentum'))));
          pair.update(cosineMomentum(step, totalSteps, num(p, 'baseTau'), num(p, 'finalTau')));
        },
      },
    );
  },
};
