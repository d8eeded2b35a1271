/**
 * A method's views, resolved in one place: the views a run trains with (its preset's, or the
 * method's own when the preset is 'method'), and a method's default views for an image size
 * (what `pretext augment` and the workbench's preview show), and the masks a masked-image-
 * modelling method draws, for those previews.
 */
import { PRESET_NAMES, presetForMethod, resolvePreset, type ViewSpec } from '../augment';
import { maskedPictures, type PictureSet } from '../augment/grid';
import { PretextError } from '../../core/errors';
import { getMethod } from './index';
import type { MethodDefinition, Params } from './types';

/** The preset a run of `def` records by default for images of `size` px ('method': the method's own views). */
export function defaultPresetName(def: MethodDefinition, size: number): string {
  return typeof def.preset === 'string' ? presetForMethod(def.preset, size) : 'method';
}

/** Throws a PretextError (field 'preset') when `preset` names no augmentation preset. */
export function checkPreset(preset: string): void {
  if (preset !== 'method' && !PRESET_NAMES.includes(preset)) {
    throw new PretextError(`unknown augmentation preset '${preset}' (known: ${PRESET_NAMES.join(', ')})`, { field: 'preset' });
  }
}

/** The views a run of `method` with preset `preset` trains with, for images of `size` px (and the run's params). */
export function trainingViews(method: string, preset: string, size: number, params?: Params): ViewSpec[] {
  const def = getMethod(method);
  checkPreset(preset);
  if (preset === 'method') {
    if (typeof def.preset !== 'function') throw new PretextError(`method ${def.name} declares no views of its own`, { field: 'preset' });
    return def.preset(size, { ...def.params, ...params });
  }
  return resolvePreset(preset, size);
}

/** A method's default views for images of `size` px, with the name they go by (a preset, or the method's). */
export function defaultViews(method: string, size: number): { name: string; views: ViewSpec[] } {
  const def = getMethod(method);
  if (typeof def.preset === 'function') return { name: def.name, views: def.preset(size, def.params) };
  const name = presetForMethod(def.preset, size);
  return { name, views: resolvePreset(name, size) };
}

/**
 * The masked column of a preview of `method`'s views: its first view (the one masked image
 * modelling masks) with the patches its masks remove, drawn from the preview's seed as the
 * method draws a step's (MethodDefinition.previewMasks); null for a method that masks nothing.
 */
export function previewMaskColumn(method: string | undefined, view: { size: number; values: Float32Array }, n: number, channels: 1 | 3, seed: number): { picture: PictureSet; caption: string } | null {
  const def = method ? getMethod(method) : undefined;
  if (!def?.previewMasks) return null;
  const { patch, masks, caption } = def.previewMasks(def.params, view.size, n, seed);
  return { picture: maskedPictures(view.values, n, view.size, channels, patch, masks), caption };
}
