/**
 * The Augment view's parameter form, generated from a view pipeline (ViewSpecJson): every
 * leaf becomes a field (number, text, checkbox, or a min–max pair), nested objects become
 * groups, and an edit returns a new spec with only that path changed.
 */
import type { ViewSpecJson } from '../../../../src-main/api/contract';
import { boundsAt } from '../../../../src-main/api/schema/fields';
import { viewSpecSchema } from '../../../../src-main/api/schema/requests';

export type Field =
  | { kind: 'number'; path: string[]; label: string; value: number; min?: number; max?: number }
  | { kind: 'range'; path: string[]; label: string; value: [number, number]; min?: number; max?: number }
  | { kind: 'text'; path: string[]; label: string; value: string }
  | { kind: 'boolean'; path: string[]; label: string; value: boolean }
  | { kind: 'off'; path: string[]; label: string }
  | { kind: 'group'; path: string[]; label: string; fields: Field[] };

export function fieldsOf(spec: ViewSpecJson, path: string[] = []): Field[] {
  const out: Field[] = [];
  for (const [key, v] of Object.entries(spec)) {
    const p = [...path, key];
    // Numbers carry the range the engine accepts (api/schema: e.g. size 1 to 512 px).
    if (typeof v === 'number') out.push({ kind: 'number', path: p, label: key, value: v, ...boundsAt(viewSpecSchema, p) });
    else if (typeof v === 'string') out.push({ kind: 'text', path: p, label: key, value: v });
    else if (typeof v === 'boolean') out.push({ kind: 'boolean', path: p, label: key, value: v });
    else if (v === null) out.push({ kind: 'off', path: p, label: key });
    else if (Array.isArray(v) && v.length === 2 && v.every((x) => typeof x === 'number')) {
      out.push({ kind: 'range', path: p, label: key, value: [v[0] as number, v[1] as number], ...boundsAt(viewSpecSchema, p) });
    } else if (typeof v === 'object' && !Array.isArray(v)) {
      out.push({ kind: 'group', path: p, label: key, fields: fieldsOf(v as ViewSpecJson, p) });
    }
  }
  return out;
}

/** A copy of `spec` with the value at `path` replaced. */
export function withValue(spec: ViewSpecJson, path: readonly string[], value: unknown): ViewSpecJson {
  if (path.length === 0) throw new Error('withValue: empty path');
  const [head, ...rest] = path as [string, ...string[]];
  const copy: ViewSpecJson = { ...spec };
  if (rest.length === 0) copy[head] = value;
  else {
    const child = spec[head];
    if (child === null || typeof child !== 'object' || Array.isArray(child)) throw new Error(`withValue: '${path.join('.')}' is not inside an object`);
    copy[head] = withValue(child as ViewSpecJson, rest, value);
  }
  return copy;
}

/** Parses a number field's text; null when it is not a finite number. */
export function parseNumber(text: string): number | null {
  if (text.trim() === '') return null;
  const v = Number(text);
  return Number.isFinite(v) ? v : null;
}
