/**
 * The backbone registry: the one place a run's backbone is constructed, seed included. The
 * trainer (the online backbone, then the method's heads and momentum copies in the same seeded
 * stream) and the random-init baseline (ml/eval/encoder.ts) both build through here, so the
 * baseline has the run's initial weights by construction.
 */
import type * as tfl from '@tensorflow/tfjs-layers';
import { PretextError } from '../../core/errors';
import { deriveSeed } from '../../core/rng';
import { withSeed } from '../train/seed';
import { resnet, RESNET_NAMES } from './resnet';
import { vit, VIT_NAMES } from './vit';

/** The numeric stream of deriveSeed(seed, stream) that seeds weight initialisation. */
export const BACKBONE_INIT_STREAM = 7;

/** What of a run's configuration decides its backbone. */
export interface BackboneConfig {
  backbone: string;
  width: number;
  seed: number;
}

/** The images the backbone takes: square, `size` px, 1 or 3 channels. */
export interface BackboneInput {
  size: number;
  channels: number;
}

/** Makes a fresh backbone: images NHWC → pooled features [B, featureDim]. */
export type BackboneFactory = () => tfl.LayersModel;

type Build = (input: BackboneInput, width: number) => tfl.LayersModel;

const registry: ReadonlyMap<string, Build> = new Map([
  ...RESNET_NAMES.map((name): [string, Build] => [name, (i, width) => resnet(name, { size: i.size, channels: i.channels as 1 | 3, width })]),
  ...VIT_NAMES.map((name): [string, Build] => [name, (i, width) => vit(name, { size: i.size, channels: i.channels as 1 | 3, width })]),
]);

export const BACKBONE_NAMES: readonly string[] = [...registry.keys()];

/** True for the registry's Vision Transformers (methods pick their ViT recipe by it). */
export function isViTBackbone(name: string): boolean {
  return (VIT_NAMES as readonly string[]).includes(name);
}

/** Throws a PretextError (field 'backbone') listing the names when `name` is not a backbone. */
export function checkBackbone(name: string): void {
  if (!registry.has(name)) {
    throw new PretextError(`unknown backbone '${name}' (known: ${BACKBONE_NAMES.join(', ')})`, { field: 'backbone' });
  }
}

/** An unseeded factory of the configured backbone (each call draws from Math.random). */
export function backboneFactory(cfg: BackboneConfig, input: BackboneInput): BackboneFactory {
  checkBackbone(cfg.backbone);
  const build = registry.get(cfg.backbone)!;
  return () => build(input, cfg.width);
}

/**
 * Builds the backbone at its seeded initialisation, then hands it and the factory to `rest`,
 * which runs in the same seeded stream (the trainer builds the method's heads there).
 */
export function buildSeeded<T>(cfg: BackboneConfig, input: BackboneInput, rest: (backbone: tfl.LayersModel, make: BackboneFactory) => T): T {
  const make = backboneFactory(cfg, input);
  return withSeed(deriveSeed(cfg.seed, BACKBONE_INIT_STREAM), () => rest(make(), make));
}

/** The run's backbone at its seeded initialisation: the weights training starts from. */
export function buildBackbone(cfg: BackboneConfig, input: BackboneInput): tfl.LayersModel {
  return buildSeeded(cfg, input, (backbone) => backbone);
}
