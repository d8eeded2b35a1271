/**
 * The contract between the trainer and a method (solo-learn's split): the trainer owns the
 * loop, optimiser, schedule, checkpoints and evaluation; a method declares its networks and
 * heads, its defaults and its loss.
 */
import type * as tf from '@tensorflow/tfjs-core';
import type * as tfl from '@tensorflow/tfjs-layers';
import type { ViewSpec } from '../augment';

import type { BackboneFactory } from '../backbones/registry';

export type { BackboneFactory };

export type Params = Record<string, number | string | boolean>;

export interface StepInput {
  /** The augmented views of the batch, in the order of the method's view pipelines. */
  views: tf.Tensor4D[];
  /** The views' specs (size, crop, colour…), one per entry of `views`. */
  specs: readonly ViewSpec[];
  /** Class labels (int32) of the batch; only supervised methods use them. */
  labels: tf.Tensor1D;
  /** Dataset indices (int32) of the batch's images: memory banks and support sets key on them. */
  indices: tf.Tensor1D;
  /** Epoch (0-based), step within it, and steps per epoch. */
  epoch: number;
  stepInEpoch: number;
  stepsPerEpoch: number;
  /** Global optimisation step (0-based) and the run's total number of steps. */
  step: number;
  totalSteps: number;
  /**
   * Where the step's randomness comes from: a method that draws anything derives it from
   * stepSeed(input, ...) (methods/common.ts), so a resumed run draws the same.
   */
  seedPath: { seed: number; epoch: number; step: number };
  /**
   * Targets of task views (augment/tasks.ts), one entry per view: int32 labels drawn with the
   * view (rotation per row, permutation or neighbour per image), null for a view without a task.
   * Absent when no view has a task.
   */
  taskTargets?: (tf.Tensor1D | null)[];
}

/** What a method's loss returns: the scalar to minimise and named per-term scalars to log. */
export interface LossOutput {
  loss: tf.Scalar;
  /** Logged per step as `loss_<name>` (VICReg's three terms); the trainer reads and disposes them. */
  metrics?: Record<string, tf.Scalar>;
}

/**
 * How the optimiser treats a group of variables (solo-learn's parameter groups): a scale of the
 * scheduled lr, a fixed lr (the run's base lr, no warm-up or cosine: SimSiam's predictor), its
 * own weight decay, and exclusion from LARS's trust ratio.
 */
export interface ParamGroupOptions {
  lrScale?: number;
  fixedLr?: boolean;
  weightDecay?: number;
  excludeFromLars?: boolean;
}

export interface ParamGroup extends ParamGroupOptions {
  name: string;
  variables: tf.Variable[];
}

export interface SslModel {
  /** The online backbone: what kNN, the probe and export use. */
  readonly backbone: tfl.LayersModel;
  /** Variables the optimiser updates, in a fixed order (checkpoints index them). */
  trainable(): tf.Variable[];
  /** The trainable variables that differ from the run's optimiser settings, by group. */
  paramGroups(): ParamGroup[];
  /** Every network whose weights a checkpoint holds, by stable name. */
  networks(): Record<string, tfl.LayersModel>;
  /** Non-network state a checkpoint holds (queues, memory banks), by stable name. */
  buffers(): Record<string, tf.Variable>;
  /**
   * Tensors computed without gradient before the loss (momentum-encoder targets); the trainer
   * disposes them after the step.
   */
  targets?(input: StepInput): tf.Tensor[];
  /** The loss of the batch; called inside tf.variableGrads. */
  loss(input: StepInput, targets: tf.Tensor[]): LossOutput;
  /**
   * Between the gradients and the update (clipping, freezing a layer for N epochs): returns the
   * gradients to apply, keyed by variable name; a variable left out is not updated. The trainer
   * disposes both maps.
   */
  beforeApply?(grads: tf.NamedTensorMap, input: StepInput): tf.NamedTensorMap;
  /**
   * Before an epoch's first step, also the first epoch of a resumed run (DeepCluster v2's
   * k-means on the last epoch's memory): `seed` is the run's seed, so what it draws is fixed by
   * (seed, epoch).
   */
  onEpochStart?(e: { epoch: number; seed: number }): void;
  /** After the optimiser's update: EMA of target networks, queue updates. */
  afterStep?(input: StepInput, targets: tf.Tensor[]): void;
  /** False for the random-init baseline: nothing to optimise. */
  readonly trains: boolean;
  dispose(): void;
}

/** What a method may know of the data it is built for. */
export interface BuildData {
  /**
   * Dataset indices of the train split, in order (StepInput.indices hold such indices): memory
   * banks have a row per entry, support sets are capped at its length. Empty when unknown.
   */
  trainIndices: readonly number[];
}

/**
 * How a method's encoder is evaluated (the per-epoch monitor, kNN, probe, maps, retrieval,
 * export): by default the backbone's pooled features; with `head`, those features passed
 * through the first `layers` layers (tf.layers layers: a linear, its batch norm and its ReLU
 * are three) of the head network `network` (SimCLR v2 evaluates from the projector's first
 * layer).
 * - `input`: 'rgb' (default) the images as they are; 'luminance' an L-only encoder: the
 *   backbone is built for one channel, the trainer hands the method its views as luminance,
 *   and evaluation puts the same conversion in front (ml/backbones/luminance.ts).
 * - `pooling`: a ViT's features: 'cls' (the class token, as MoCo v3 and DINO evaluate; the
 *   default) or 'mean' (the mean of the patch tokens, as MAE). A ResNet has one pooling, the
 *   global average, and ignores it.
 */
export interface EvaluationSpec {
  head?: { network: string; layers: number };
  input?: 'rgb' | 'luminance';
  pooling?: 'cls' | 'mean';
}

export interface TrainDefaults {
  optimizer: 'sgd' | 'lars' | 'adamw';
  lr: number;
  weightDecay: number;
  momentum: number;
  batch: number;
  warmupEpochs: number;
  /** LARS trust coefficient and bias/norm exclusion. */
  eta: number;
  excludeBiasAndNorm: boolean;
  /**
   * LARS: clip each layer's adaptive lr at the scheduled lr (solo-learn's clip_lr). Absent in
   * configs stored before it existed: off, as those runs trained.
   */
  clipLr?: boolean;
  /** AdamW's β2 (MAE: 0.95); absent: the optimiser's 0.999, as configs stored before it trained. */
  beta2?: number;
}

/**
 * A method's recipe for one kind of backbone (MoCo v3 and DINO train a ViT with AdamW, a ResNet
 * with LARS): train settings and params laid over the method's defaults, under the user's
 * options (ml/train/config.ts resolveConfig); `note` says what and where from, and is recorded
 * on the run's config.
 */
export interface BackboneDefaults {
  train?: Partial<TrainDefaults>;
  params?: Params;
  note: string;
}

/** Masks of a preview's views: 1 = removed patch, row-major over the grid of `patch`-px patches. */
export interface PreviewMasks {
  patch: number;
  masks: number[][];
  /** What the column shows, e.g. "75 % of 49 patches removed (random)". */
  caption: string;
}

export interface MethodDefinition {
  name: string;
  summary: string;
  /** Paper and official code this method follows. */
  reference: string;
  /**
   * The augmentation preset of its views (src-main/ml/augment/presets; the '-cifar' variant is
   * used for images ≤ 64 px), or the views themselves for a given image size (and the run's
   * params, when the views depend on them: jigsaw's permutation set; default: `params`).
   */
  preset: string | ((imageSize: number, params?: Params) => ViewSpec[]);
  /** Method hyper-parameters (heads, temperature, λ…), all overridable. */
  params: Params;
  train: TrainDefaults;
  /** Only ViT backbones (masked image modelling masks patch tokens): a ResNet is refused before a run is stored. */
  requiresViT?: boolean;
  /** Labelled classes the method needs in the dataset (the supervised baseline: 2). */
  minClasses?: number;
  /**
   * Params sized to a train split of `trainImages` images (MoCo's queue never longer than the
   * split), with a note for each value changed; resolveConfig records the result.
   */
  fitToData?(params: Params, trainImages: number): { params: Params; notes: string[] };
  /** Its recipe for the backbone `backbone` (a registry name), if that differs from the defaults. */
  backboneDefaults?(backbone: string): BackboneDefaults | undefined;
  /**
   * The masks its loss draws inside the method (masked image modelling), for previews: `count`
   * views of `viewSize` px, seeded, drawn as the method draws them in training (augment/mask.ts).
   */
  previewMasks?(params: Params, viewSize: number, count: number, seed: number): PreviewMasks;
  /** The evaluated encoder for these params (default: the backbone alone). */
  evaluation?(params: Params): EvaluationSpec;
  /** Validates merged params; throws with a message naming the bad option. */
  validate?(params: Params, train: TrainDefaults): void;
  build(makeBackbone: BackboneFactory, featureDim: number, params: Params, numClasses: number, data: BuildData): SslModel;
}
