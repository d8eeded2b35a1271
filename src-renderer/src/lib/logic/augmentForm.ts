/**
 * The Augment view's form and grid, beyond lib/logic/specForm: the allowed values of an
 * enumerated field (a dropdown), whether a typed value is valid for its field (else the
 * preview is marked stale), and a view's fired operations in words.
 */
import { z } from 'zod';
import type { AugmentOps, ViewSpecJson } from '../../../../src-main/api/contract';
import { unwrapAll as unwrap } from '../../../../src-main/api/schema/fields';
import { viewSpecSchema } from '../../../../src-main/api/schema/requests';
import type { Field } from './specForm';
import { parseNumber } from './specForm';

/** The allowed values of the enumerated field at `path` of a view pipeline; null when it is free text. */
export function choicesAt(path: readonly string[], schema: z.ZodType = viewSpecSchema): string[] | null {
  let s: z.ZodType | undefined = unwrap(schema);
  for (const key of path) {
    if (!(s instanceof z.ZodObject)) return null;
    const next = (s.shape as Record<string, z.ZodType>)[key];
    if (!next) return null;
    s = unwrap(next);
  }
  return s instanceof z.ZodEnum ? (s.options as string[]) : null;
}

/** A field's typed text: null when valid, else why not. */
export function invalidReason(f: Extract<Field, { kind: 'number' | 'range' }>, texts: readonly string[]): string | null {
  const values = texts.map(parseNumber);
  if (values.some((v) => v === null)) return 'not a number';
  const nums = values as number[];
  if (f.min !== undefined && nums.some((v) => v < f.min!)) return `below ${f.min}`;
  if (f.max !== undefined && nums.some((v) => v > f.max!)) return `above ${f.max}`;
  if (nums.length === 2 && nums[0]! > nums[1]!) return 'min above max';
  return null;
}

/** The key of a field of view `view` in the Augment state's drafts. */
export const draftKey = (view: number, path: readonly string[]): string => `${view}:${path.join('.')}`;

const sign = (v: number, digits: number) => (v >= 0 ? '+' : '−') + Math.abs(v).toFixed(digits);

/** The operations that fired on one view of one image, in the order they ran, in words. */
export function opsLines(ops: AugmentOps): string[] {
  const out: string[] = [];
  if (ops.crop) out.push(`crop ${ops.crop.width}×${ops.crop.height} at (${ops.crop.left}, ${ops.crop.top})`);
  if (ops.flip) out.push('flip');
  if (ops.jitter) {
    const j = ops.jitter;
    const words = j.order.flatMap((op) => {
      const v = j[op];
      if (v === null) return [];
      return [op === 'hue' ? `hue ${sign(v, 3)}` : `${op} ×${v.toFixed(2)}`];
    });
    out.push(`jitter ${words.join(', ') || 'off'}`);
  }
  if (ops.grayscale) out.push('grayscale');
  if (ops.blurSigma !== null) out.push(`blur σ ${ops.blurSigma.toFixed(2)}`);
  if (ops.solarize) out.push('solarize');
  if (ops.task) out.push(ops.task.target, `pieces: ${ops.task.pieces.join(' · ')}`);
  return out;
}

/** What a preview is made from: two previews with the same key show the same pipelines and images. */
export function previewKey(req: { datasetId: string | null; preset: string; views: ViewSpecJson[] | null; count: number }): string {
  return JSON.stringify([req.datasetId, req.preset, req.views, req.count]);
}
