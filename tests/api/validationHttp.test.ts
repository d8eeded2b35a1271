/**
 * Issue 11, defect 7: malformed requests over real HTTP answer 400 naming the field, never a
 * 500 with raw JavaScript or SQLite text, a stack or a path of the server's machine.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REQUEST_NAMES } from '../../src-main/api/names';
import { expectCleanAnswer, post, startHarness, type Harness } from '../fuzz/harness';

let h: Harness;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(async () => {
  await h.close();
});

const fieldOf = (r: { json: unknown }) => (r.json as { error: { field?: string } }).error.field;

describe('malformed requests over HTTP', () => {
  it('answers {} where an id is needed with 400 naming the id field, for every request that takes one', async () => {
    for (const name of ['datasets.get', 'datasets.delete', 'runs.get', 'runs.cancel', 'runs.resume', 'runs.delete', 'runs.metrics', 'jobs.cancel', 'datasets.items']) {
      const r = await post(h.base, name, '{}');
      expectCleanAnswer(h, r, name);
      expect(r.status, name).toBe(400);
      expect(fieldOf(r), name).toBe('id');
    }
    for (const name of ['eval.knn', 'eval.probe', 'eval.diagnostics', 'projections.get', 'export.encoder', 'export.embeddings']) {
      const r = await post(h.base, name, '{}');
      expect(r.status, name).toBe(400);
      expect(fieldOf(r), name).toBe('runId');
    }
  });

  it('answers non-string ids, a missing body and a non-object body with 400', async () => {
    const r1 = await post(h.base, 'runs.get', JSON.stringify({ id: { $gt: '' } }));
    expect([r1.status, fieldOf(r1)]).toEqual([400, 'id']);
    const r2 = await post(h.base, 'datasets.get', undefined);
    expect([r2.status, fieldOf(r2)]).toEqual([400, 'body']);
    const r3 = await post(h.base, 'eval.list', JSON.stringify({ runIds: [1, 2] }));
    expect([r3.status, fieldOf(r3)]).toEqual([400, 'runIds.0']);
    const r4 = await post(h.base, 'datasets.items', '"just a string"');
    expect([r4.status, fieldOf(r4)]).toEqual([400, 'body']);
    const r5 = await post(h.base, 'datasets.get', '{not json');
    expect([r5.status, fieldOf(r5)]).toEqual([400, 'body']);
    for (const r of [r1, r2, r3, r4, r5]) expectCleanAnswer(h, r, 'malformed');
  });

  it('answers bad URI encoding in the request name with 400, not URI malformed', async () => {
    const r = await post(h.base, '%E0%A4%A', '{}');
    expectCleanAnswer(h, r, 'bad encoding');
    expect(r.status).toBe(400);
    expect(fieldOf(r)).toBe('name');
    const unknown = await post(h.base, 'no.such', '{}');
    expectCleanAnswer(h, unknown, 'unknown');
    expect(unknown.status).toBe(404);
  });

  it('answers deep nesting with 400 and keeps answering', async () => {
    const deep = `{"id":${'['.repeat(100_000)}${']'.repeat(100_000)}}`;
    const r = await post(h.base, 'datasets.get', deep);
    expectCleanAnswer(h, r, 'deep');
    expect([r.status, fieldOf(r)]).toEqual([400, 'body']);
    const ok = await post(h.base, 'datasets.list', undefined);
    expect(ok.status).toBe(200);
  });

  it('answers huge strings (paths, ids, outs) with 400 naming the field, without ENAMETOOLONG or the workspace path', async () => {
    const huge = 'x'.repeat(100_000);
    const cases: [string, object, string][] = [
      ['datasets.import', { path: huge }, 'path'],
      ['datasets.import', { path: `${h.tmp.dir}/${'y'.repeat(300)}` }, 'path'],
      ['datasets.stage', { paths: [`a/${'z'.repeat(1000)}`] }, 'paths.0'],
      ['datasets.get', { id: huge }, 'id'],
      ['export.encoder', { runId: 'run-x', format: 'onnx', out: `${'o'.repeat(5000)}.onnx` }, 'out'],
      ['report.create', { runIds: ['run-x'], out: `${'r'.repeat(256)}.html` }, 'out'],
      ['augment.preview', { datasetId: h.datasetId, preset: huge }, 'preset'],
    ];
    for (const [name, body, field] of cases) {
      const r = await post(h.base, name, JSON.stringify(body));
      expectCleanAnswer(h, r, name);
      expect([r.status, fieldOf(r)], name).toEqual([400, field]);
    }
  });

  it('answers an oversized augment.preview at once with 400 naming size', async () => {
    const t0 = performance.now();
    const v = { name: 'big', size: 4096, crop: null, flipProb: 0, colorJitter: null, grayscaleProb: 0, blur: null, solarize: null };
    const r = await post(h.base, 'augment.preview', JSON.stringify({ datasetId: h.datasetId, views: [v] }));
    expect(performance.now() - t0).toBeLessThan(1000);
    expectCleanAnswer(h, r, 'preview');
    expect(r.status).toBe(400);
    expect(fieldOf(r)).toBe('views.0.size');
    const count = await post(h.base, 'augment.preview', JSON.stringify({ datasetId: h.datasetId, preset: 'simclr', count: 40_000 }));
    expect([count.status, fieldOf(count)]).toEqual([400, 'count']);
  });

  it('has a schema for every request name the server accepts', async () => {
    for (const name of REQUEST_NAMES) {
      const r = await post(h.base, encodeURIComponent(name), '[[[]]]');
      expectCleanAnswer(h, r, name);
    }
  });
});
