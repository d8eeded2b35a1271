/**
 * The building blocks of the request schemas: zod field types with their range and their
 * words, and a registry of per-field metadata (doc, CLI flag, default, bounds) from which the
 * CLI's flags and help and the UI's form bounds are derived. Browser-safe: zod only.
 */
import { z } from 'zod';

/** What a field of a request or command is, for the CLI and the UI. */
export interface FieldMeta {
  /** One line for `--help` (and the UI's tooltip). */
  doc: string;
  /** Command-line flag without the dashes ('label-fraction'); none: not a CLI option. */
  flag?: string;
  /** Placeholder of the flag's value in the usage ('N', 'PATH'); none for a boolean flag. */
  arg?: string;
  /** The default the engine applies when the field is left out (documentation; not filled in). */
  default?: number | string | boolean;
  /** Numeric bounds (inclusive unless `exclusiveMin`) and whether it is a whole number. */
  min?: number;
  max?: number;
  exclusiveMin?: boolean;
  integer?: boolean;
  /** The allowed values of an enumeration. */
  values?: readonly (string | number)[];
}

/** Metadata of every field built by the helpers below. */
export const fieldMeta = z.registry<FieldMeta>();

/** The largest seed: seeds are 31-bit so that every RNG of the engine takes them as they are. */
export const MAX_SEED = 2 ** 31 - 1;
/** Ids (datasets, runs, jobs) are short: at most this many characters. */
export const MAX_ID = 128;
/** Paths: at most this many characters, each name at most 255 bytes (the file systems' limit). */
export const MAX_PATH = 4096;
export const MAX_NAME_BYTES = 255;

const required = (what: string) => (iss: { input?: unknown }) => (iss.input === undefined ? 'is required' : what);

/** A whole number from min to max. */
export function int(min: number, max: number) {
  const msg = `must be an integer from ${min} to ${max}`;
  const e = { error: required(msg) };
  return z.number(e).int(e).min(min, e).max(max, e);
}

/** A finite number in [min, max] (or (min, max] when exclusiveMin). */
export function num(min: number, max: number, exclusiveMin = false) {
  const msg = `must be a number ${exclusiveMin ? 'greater than' : 'from'} ${min}${exclusiveMin ? ' and at most' : ' to'} ${max}`;
  const e = { error: required(msg) };
  const base = z.number(e).max(max, e);
  return exclusiveMin ? base.gt(min, e) : base.min(min, e);
}

/** One of the listed strings. */
export function oneOf<const T extends readonly [string, ...string[]]>(values: T) {
  const msg = `must be ${values.length === 2 ? `${values[0]} or ${values[1]}` : `one of ${values.join(', ')}`}`;
  return z.enum(values, { error: required(msg) });
}

/** One of the listed numbers. */
export function oneOfNumbers<const T extends readonly [number, ...number[]]>(values: T) {
  return z.literal(values, { error: required(`must be one of ${values.join(', ')}`) });
}

export function bool() {
  return z.boolean({ error: required('must be true or false') });
}

/** A string of 1 to max characters, with `msg` for a missing, mistyped or out-of-range one. */
function bounded(max: number, msg: string) {
  const e = { error: required(msg) };
  return z.string(e).min(1, e).max(max, e);
}

/** A non-empty string of at most `max` characters, without control characters. */
export function text(max: number) {
  // eslint-disable-next-line no-control-regex
  return bounded(max, `must be a non-empty string of at most ${max} characters`).regex(/^[^\u0000-\u001f\u007f]*$/, {
    error: 'must not contain control characters',
  });
}

/**
 * A registry name (method, backbone): letters, digits, _ and -. The registries are Maps or
 * null-prototype objects, so 'constructor' is looked up like any name and answered "unknown".
 */
export function name(max = 64) {
  return text(max).regex(/^[A-Za-z_][\w-]*$/, { error: 'must be a name of letters, digits, _ and -' });
}

/** A name that becomes a key of a plain object (a record's keys): a name, not a prototype key. */
export function key(max = 64) {
  return name(max).refine((s) => s !== '__proto__' && s !== 'constructor' && s !== 'prototype', { error: 'is not a valid name' });
}

/** A dataset, run or job id. */
export function id() {
  return text(MAX_ID);
}

/** A path on the engine's machine: bounded in length and per name, no NUL. */
export function path() {
  return bounded(MAX_PATH, `must be a non-empty path of at most ${MAX_PATH} characters`)
    .refine((p) => !p.includes('\u0000'), { error: 'must not contain a NUL character' })
    .refine((p) => p.split(/[\\/]/).every((part) => new TextEncoder().encode(part).length <= MAX_NAME_BYTES), {
      error: `has a file or folder name longer than ${MAX_NAME_BYTES} bytes`,
    });
}

/** A list of 1 to max items (min 0 with `allowEmpty`). */
export function list<T extends z.ZodType>(item: T, max: number, allowEmpty = false) {
  const min = allowEmpty ? 0 : 1;
  const msg = allowEmpty ? `must be a list of at most ${max} items` : `must be a list of 1 to ${max} items`;
  const e = { error: required(msg) };
  return z.array(item, e).min(min, e).max(max, e);
}

/** Attaches the field's metadata (with the bounds read off the schema) and makes it optional unless `required`. */
export function field<T extends z.ZodType>(schema: T, meta: FieldMeta): T {
  fieldMeta.add(schema, { ...bounds(schema), ...meta });
  return schema;
}

/** An optional field with metadata. */
export function opt<T extends z.ZodType>(schema: T, meta: FieldMeta) {
  const o = schema.optional();
  fieldMeta.add(o, { ...bounds(schema), ...meta });
  return o;
}

function bounds(schema: z.ZodType): Partial<FieldMeta> {
  if (schema instanceof z.ZodNumber) {
    const out: Partial<FieldMeta> = { integer: schema.isInt };
    if (schema.minValue !== null && Number.isFinite(schema.minValue)) out.min = schema.minValue;
    if (schema.maxValue !== null && Number.isFinite(schema.maxValue)) out.max = schema.maxValue;
    // .gt(x) reports the same minValue as .min(x): tell them apart by the check.
    const gt = schema._zod.def.checks?.some((c) => (c._zod.def as { check?: string; inclusive?: boolean }).check === 'greater_than' && (c._zod.def as { inclusive?: boolean }).inclusive === false);
    if (gt) out.exclusiveMin = true;
    return out;
  }
  if (schema instanceof z.ZodEnum) return { values: schema.options as (string | number)[] };
  if (schema instanceof z.ZodLiteral) return { values: [...schema.values] as (string | number)[] };
  return {};
}

/** The metadata of a field (looking through optional/nullable wrappers). */
export function metaOf(schema: z.ZodType): FieldMeta | undefined {
  let s: z.ZodType | undefined = schema;
  while (s) {
    const m = fieldMeta.get(s);
    if (m) return m;
    s = s instanceof z.ZodOptional || s instanceof z.ZodNullable ? (s.unwrap() as z.ZodType) : undefined;
  }
  return undefined;
}

/** Every field of an object schema with its metadata, in declaration order. */
export function fieldsOf(schema: z.ZodObject): { name: string; schema: z.ZodType; meta: FieldMeta; optional: boolean }[] {
  return Object.entries(schema.shape as Record<string, z.ZodType>).flatMap(([name, s]) => {
    const meta = metaOf(s);
    return meta ? [{ name, schema: s, meta, optional: s instanceof z.ZodOptional }] : [];
  });
}

/** The bounds of a numeric field for a form's <input type="number">. */
export function formBounds(schema: z.ZodObject, name: string): { min?: number; max?: number; step?: number | 'any'; default?: number } {
  const s = (schema.shape as Record<string, z.ZodType>)[name];
  const m = s ? metaOf(s) : undefined;
  if (!m) return {};
  return {
    ...(m.min !== undefined ? { min: m.min } : {}),
    ...(m.max !== undefined ? { max: m.max } : {}),
    step: m.integer ? 1 : 'any',
    ...(typeof m.default === 'number' ? { default: m.default } : {}),
  };
}

export function unwrapAll(s: z.ZodType): z.ZodType {
  let cur = s;
  for (;;) {
    if (cur instanceof z.ZodOptional || cur instanceof z.ZodNullable) cur = cur.unwrap() as z.ZodType;
    else if (cur instanceof z.ZodPipe) cur = cur._zod.def.out as z.ZodType;
    else return cur;
  }
}

/**
 * The numeric bounds of the field at `path` inside a schema (objects and tuples; a tuple's
 * bounds are its first element's), for a form generated from JSON (the Augment view's fields).
 */
export function boundsAt(schema: z.ZodType, path: readonly string[]): { min?: number; max?: number } {
  let s: z.ZodType | undefined = unwrapAll(schema);
  for (const key of path) {
    if (s instanceof z.ZodObject) s = (s.shape as Record<string, z.ZodType>)[key];
    else return {};
    if (!s) return {};
    s = unwrapAll(s);
  }
  if (s instanceof z.ZodTuple) s = unwrapAll(s._zod.def.items[0] as z.ZodType);
  if (!(s instanceof z.ZodNumber)) return {};
  return {
    ...(s.minValue !== null && Number.isFinite(s.minValue) ? { min: s.minValue } : {}),
    ...(s.maxValue !== null && Number.isFinite(s.maxValue) ? { max: s.maxValue } : {}),
  };
}
