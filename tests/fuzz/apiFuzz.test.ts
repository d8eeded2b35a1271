/**
 * Issue 11's fuzz suite, API half: generated malformed, oversized and type-confused bodies for
 * every request of the contract, over real HTTP to the `pretext serve` server on the real
 * service and a workspace in a temp folder. Every answer: a 400 naming the field the schema
 * names for a body it refuses, else any answer below 500; never a stack, raw JS/SQLite text or
 * a path of this machine in an error; the server still answers; nothing changes outside the
 * workspace. (A body the schema accepts may still be refused by the handler, e.g. a path that
 * does not exist: a 4xx, not always with a field.) Bounded: 40 bodies per request, a few
 * seconds in all; fast-check prints the seed of a failure to replay it.
 */
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import type { RequestName } from '../../src-main/api/contract';
import { REQUEST_NAMES } from '../../src-main/api/names';
import { requestSchemas } from '../../src-main/api/schema/requests';
import { validateRequest } from '../../src-main/api/schema/validate';
import { PretextError } from '../../src-main/core/errors';
import { expectCleanAnswer, post, snapshot, startHarness, type Harness } from './harness';

let h: Harness;
let outside: string[];
let cwdNames: string[];

beforeAll(async () => {
  h = await startHarness();
  outside = snapshot(h.tmp.dir, [h.ws.dir]);
  cwdNames = readdirSync(process.cwd()).sort();
});

afterAll(async () => {
  await h?.close();
});

const deep = (n: number): unknown => {
  let v: unknown = 0;
  for (let i = 0; i < n; i++) v = i % 2 ? [v] : { a: v };
  return v;
};

/** Values no well-behaved client sends: wrong types, out of range, oversized, hostile words. */
const badValue: fc.Arbitrary<unknown> = fc.oneof(
  fc.jsonValue({ maxDepth: 2 }),
  fc.string({ maxLength: 24 }),
  fc.integer({ min: -(2 ** 40), max: 2 ** 40 }),
  fc.double({ noNaN: true, noDefaultInfinity: true }),
  fc.array(fc.jsonValue({ maxDepth: 1 }), { maxLength: 4 }),
  fc.constantFrom<unknown>(
    -1, 0, 0.5, 1e308, 2 ** 31, 2 ** 53, 4096, 40_000, '', ' ', '..', '../../../../tmp/pretext-fuzz-escape',
    '%E0%A4%A', 'constructor', '__proto__', 'toString', 'ds-nope', 'run-nope', 'x'.repeat(70_000), `a/${'n'.repeat(300)}`,
    null, true, [], {}, deep(60), deep(2000),
  ),
);

/** An object with some of the request's fields (and some unknown ones) set to bad values. */
function bodies(name: RequestName): fc.Arbitrary<unknown> {
  const schema = requestSchemas[name];
  const keys = schema instanceof z.ZodObject ? Object.keys(schema.shape as object) : ['datasetId', 'id'];
  const field = (k: string) => (k === 'datasetId' ? fc.oneof(badValue, fc.constant(h.datasetId)) : badValue);
  const partial = fc.record(Object.fromEntries(keys.map((k) => [k, field(k)])), { requiredKeys: [] });
  return fc.oneof(
    { arbitrary: partial, weight: 4 },
    { arbitrary: fc.tuple(partial, fc.dictionary(fc.string({ maxLength: 8 }), badValue, { maxKeys: 3 })).map(([a, b]) => ({ ...b, ...a })), weight: 1 },
    { arbitrary: badValue, weight: 1 },
  );
}

/** No string in the body names something that exists (a valid-by-chance import of '/' is not harmless). */
function namesNoRealPath(v: unknown, depth = 0): boolean {
  if (depth > 8) return true;
  if (typeof v === 'string') return v.length > 4096 || v.includes('\u0000') || !existsSync(v);
  if (Array.isArray(v)) return v.every((x) => namesNoRealPath(x, depth + 1));
  if (v && typeof v === 'object') return Object.values(v).every((x) => namesNoRealPath(x, depth + 1));
  return true;
}

/** The field the schema refuses the body for, or null when it accepts it. */
function refusedField(name: RequestName, body: unknown): string | null {
  try {
    validateRequest(name, body);
    return null;
  } catch (err) {
    if (err instanceof PretextError) return err.field ?? 'body';
    throw err;
  }
}

/** Bodies per request (PRETEXT_FUZZ_RUNS for a longer soak). */
const RUNS = Number(process.env['PRETEXT_FUZZ_RUNS'] ?? 40);

/** Requests whose every payload is valid: their handlers run each time (backends.list probes). */
const PAYLOADLESS = new Set<RequestName>(['app.info', 'backends.list', 'datasets.list', 'augment.presets', 'methods.list', 'jobs.list']);

describe('fuzz: every request over HTTP', () => {
  it.each(REQUEST_NAMES)('%s answers generated bad bodies with a 4xx naming the field, never a 500', async (name) => {
    await fc.assert(
      fc.asyncProperty(bodies(name).filter((b) => namesNoRealPath(b)), async (body) => {
        const text = body === undefined ? undefined : JSON.stringify(body);
        const r = await post(h.base, encodeURIComponent(name), text);
        const what = `${name} ${String(text).slice(0, 200)}`;
        expectCleanAnswer(h, r, what);
        const field = refusedField(name, text === undefined ? undefined : (JSON.parse(text) as unknown));
        if (field !== null) {
          expect(r.status, what).toBe(400);
          expect((r.json as { error: { field?: string } }).error.field, what).toBe(field);
        }
      }),
      { numRuns: PAYLOADLESS.has(name) ? 3 : RUNS },
    );
    // The server and the service still answer.
    const alive = await post(h.base, 'datasets.list', undefined);
    expect(alive.status).toBe(200);
  });

  it('wrote nothing outside the workspace', () => {
    expect(snapshot(h.tmp.dir, [h.ws.dir])).toEqual(outside);
    expect(readdirSync(process.cwd()).sort()).toEqual(cwdNames);
    expect(existsSync(join(h.sentinel, 'keep.txt'))).toBe(true);
    expect(existsSync('/tmp/pretext-fuzz-escape')).toBe(false);
  });
});
