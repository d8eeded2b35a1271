/**
 * Batched, seeded view pipelines for self-supervised training (see spec.ts for the model,
 * rng.ts for seeding, presets.ts for the papers' settings).
 */
export { deriveSeed, Rng } from './rng';
export { blurKernelSize, validateViewSpec } from './spec';
export type { BlurSpec, ChannelStats, ColorJitterSpec, CropSpec, SolarizeSpec, ViewSpec } from './spec';
export { sampleCropBox, sampleJitter, sampleViewParams, JITTER_OPS } from './params';
export type { CropBox, JitterParams, ViewParams } from './params';
export { applyView, channelStats, normalize, renderViews, sampleBatchParams, toUnitFloat } from './pipeline';
export type { ImageBatch, RenderOptions, SeedPath } from './pipeline';
export { localSize, multiCrop, PRESET_NAMES, presetForMethod, presetSummary, resolvePreset } from './presets';
export type { ViewRecipe } from './presets';
