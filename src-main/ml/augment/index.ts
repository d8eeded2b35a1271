/**
 * Batched, seeded view pipelines for self-supervised training.
 *
 * - A method's views are a list of ViewSpec (spec.ts): 2 entries for SimCLR/BYOL, 2 + N for
 *   multi-crop. resolvePreset(name, imageSize) gives the papers' settings (presets.ts).
 * - renderViews(images, views, { seed, epoch, step }, { normalize }) returns one float32 NHWC
 *   tensor per view (the caller disposes them); training and `pretext augment` both use it.
 *   Parameters are drawn per image in JS (rng.ts: the same seed path gives the same views on
 *   every backend), then applied as batched tensor ops (ops.ts, color.ts).
 * - Semantics are torchvision's (tests/ml/augment/torchvision.test.ts checks every op against
 *   torchvision 0.14 and the crop resampling against PIL's antialiased bilinear/bicubic weights).
 *   Known differences from the PIL pipelines of the papers' code: PIL's GaussianBlur is a
 *   box-blur approximation of the Gaussian used here (see BlurSpec), and values stay float
 *   between steps where PIL rounds to uint8 after each.
 */
export { deriveSeed, Rng } from '../../core/rng';
export { blurKernelSize, validateViewSpec } from './spec';
export type { BlurSpec, ChannelStats, ColorJitterSpec, CropSpec, SolarizeSpec, ViewSpec } from './spec';
export { sampleCropBox, sampleJitter, sampleViewParams, JITTER_OPS } from './params';
export type { CropBox, JitterParams, ViewParams } from './params';
export { applyView, channelStats, normalize, renderViews, sampleBatchParams, toUnitFloat } from './pipeline';
export type { ImageBatch, RenderOptions, SeedPath } from './pipeline';
export { localSize, multiCrop, smallLocalSize, PRESET_NAMES, presetForMethod, presetSummary, resolvePreset } from './presets';
export type { ViewRecipe } from './presets';
export { pilWeights, type Interpolation } from './resample';
export { NEIGHBOURS, ROTATIONS, pieceSize, taskCaptions, taskClasses, taskPieces, taskTargets, tilePermutations, validateTask } from './tasks';
export type { TaskParams, TaskSpec } from './tasks';
export { applyTask, contextPairs, gridPatches, jigsawTiles, rotations } from './taskOps';
export { greedyPermutationSet, hamming, permutationSet } from './permutations';
export { blockMasking, keptTokens, randomMasking } from './mask';
export type { BlockMaskOptions, RandomMask } from './mask';
