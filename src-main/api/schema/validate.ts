/**
 * Checks a request's payload against its schema where it enters (the service, and the HTTP
 * server before it forwards to the engine): a bad payload is a PretextError 'bad-request'
 * naming the field (its path, e.g. `size` or `runIds.0`). The message never echoes the value.
 */
import type { z } from 'zod';
import { PretextError } from '../../core/errors';
import { requestSchemas, type RequestSchemas } from './requests';

/** Deeper JSON than this is refused before it is looked at (no request nests more than 6 levels). */
export const MAX_DEPTH = 32;

/** The field path as the API names it: `views.0.size`, or `body` for the payload itself. */
export function fieldPath(path: readonly PropertyKey[]): string {
  return path.length === 0 ? 'body' : path.map(String).join('.');
}

function firstIssue(error: z.ZodError): { field: string; message: string } {
  const issue = error.issues[0]!;
  const path = [...issue.path];
  // A union of objects (runs.list) reports the object's issue inside.
  const inner = (issue as { errors?: z.core.$ZodIssue[][] }).errors?.flat().find((i) => i.path.length > 0);
  if (issue.code === 'invalid_union' && inner) return { field: fieldPath([...path, ...inner.path]), message: inner.message };
  if (path.length === 0 && issue.code === 'invalid_type') return { field: 'body', message: 'must be a JSON object' };
  if (issue.code === 'invalid_key') return { field: fieldPath(path), message: `has a bad name: ${issue.issues[0]?.message ?? 'not allowed'}` };
  if (issue.code === 'unrecognized_keys') return { field: fieldPath([...path, issue.keys[0]!]), message: 'is not a known field' };
  return { field: fieldPath(path), message: issue.message };
}

function valueAt(payload: unknown, field: string): unknown {
  let v = payload;
  for (const k of field.split('.')) {
    if (v === null || typeof v !== 'object' || !Object.hasOwn(v, k)) return undefined;
    v = (v as Record<string, unknown>)[k];
  }
  return v;
}

/** A bad value as the message quotes it: numbers, booleans and short plain words only (never a
 *  path, a long string or a structure). */
export function shownValue(v: unknown): string | undefined {
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  if (typeof v === 'string' && /^[\w .,+-]{0,40}$/.test(v)) return `'${v}'`;
  return undefined;
}

/** Depth of a JSON value, counted without recursion (a deep body must not overflow the stack). */
export function jsonDepth(value: unknown, limit = MAX_DEPTH): number {
  let depth = 0;
  let level: unknown[] = [value];
  while (level.length > 0) {
    const next: unknown[] = [];
    for (const v of level) if (v !== null && typeof v === 'object') next.push(...Object.values(v as object));
    if (next.length === 0) break;
    depth += 1;
    if (depth > limit) return depth;
    level = next;
  }
  return depth;
}

/** The payload checked (unknown fields dropped), or a 'bad-request' PretextError naming the field. */
export function validateRequest<N extends keyof RequestSchemas>(name: N, payload: unknown): z.output<RequestSchemas[N]> {
  const schema = requestSchemas[name];
  if (!schema) throw new PretextError(`unknown request '${String(name).slice(0, 100)}'`, { code: 'bad-request', field: 'name' });
  if (jsonDepth(payload) > MAX_DEPTH) throw new PretextError(`${name}: the request body is nested more than ${MAX_DEPTH} levels deep`, { field: 'body' });
  const r = schema.safeParse(payload);
  if (r.success) return r.data as z.output<RequestSchemas[N]>;
  const { field, message } = firstIssue(r.error);
  if (field === 'body') throw new PretextError(`${name}: the request body ${message}`, { field });
  const shown = shownValue(valueAt(payload, field));
  throw new PretextError(`${name}: ${field}${shown === undefined ? ` ${message}` : ` ${shown}: ${message}`}`, { field });
}
