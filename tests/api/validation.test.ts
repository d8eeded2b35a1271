import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import type { RequestName } from '../../src-main/api/contract';
import { REQUEST_NAMES } from '../../src-main/api/names';
import { formBounds, fieldsOf } from '../../src-main/api/schema/fields';
import { augmentPreviewRequest, knnRequest, requestSchemas, trainRequest } from '../../src-main/api/schema/requests';
import { jsonDepth, validateRequest } from '../../src-main/api/schema/validate';
import type { Service } from '../../src-main/api/service';
import { PretextError } from '../../src-main/core/errors';
import { PRESET_NAMES, resolvePreset } from '../../src-main/ml/augment';
import { Workspace } from '../../src-main/store/workspace';
import { makeToyDataset } from '../helpers/toyDataset';
import { closeServiceTest, openServiceTest, type ServiceTest } from '../helpers/service';

/** The PretextError validateRequest throws for a payload (fails the test when it passes). */
function rejection(name: RequestName, payload: unknown): PretextError {
  try {
    validateRequest(name, payload);
  } catch (err) {
    expect(err).toBeInstanceOf(PretextError);
    return err as PretextError;
  }
  throw new Error(`${name} accepted ${JSON.stringify(payload)}`);
}

const view = (size: number) => ({ name: 'v', size, crop: null, flipProb: 0.5, colorJitter: null, grayscaleProb: 0, blur: null, solarize: null });

describe('request schemas', () => {
  it('has one schema per request of the contract', () => {
    expect(Object.keys(requestSchemas).sort()).toEqual([...REQUEST_NAMES].sort());
  });

  it('names the field at fault with its path, and never echoes a path or a long value', () => {
    expect(rejection('datasets.get', {})).toMatchObject({ code: 'bad-request', field: 'id', message: 'datasets.get: id is required' });
    expect(rejection('datasets.get', { id: 5 })).toMatchObject({ field: 'id' });
    expect(rejection('datasets.get', undefined)).toMatchObject({ field: 'body', message: expect.stringMatching(/request body must be a JSON object/) });
    expect(rejection('report.create', { runIds: ['run-a', 3] })).toMatchObject({ field: 'runIds.1' });
    expect(rejection('report.create', { runIds: [] })).toMatchObject({ field: 'runIds' });
    expect(rejection('augment.preview', { datasetId: 'ds', views: [view(4096)] })).toMatchObject({ field: 'views.0.size', message: expect.stringContaining('from 1 to 512') });
    expect(rejection('eval.probe', { runId: 'r', labelFraction: 0.5 }).message).toBe('eval.probe: labelFraction 0.5: must be one of 0.01, 0.1, 1');
    expect(rejection('export.embeddings', { runId: 'r', format: 'csv', split: 'val' }).message).toMatch(/split 'val'/);
    const secret = `/home/someone/${'x'.repeat(300)}`;
    const long = rejection('datasets.import', { path: secret });
    expect(long.field).toBe('path');
    expect(long.message).not.toContain('/home/someone');
    expect(rejection('runs.list', { datasetId: 7 })).toMatchObject({ field: 'datasetId' });
    expect(rejection('runs.create', { datasetId: 'd', methods: ['simclr'], params: { simclr: { constructor: 1 } } }).field).toMatch(/^params/);
  });

  it('gives every numeric field of every request a range', () => {
    const numeric = (s: z.ZodType): boolean => {
      const inner = s instanceof z.ZodOptional || s instanceof z.ZodNullable ? (s.unwrap() as z.ZodType) : s;
      return inner instanceof z.ZodNumber;
    };
    for (const [name, schema] of Object.entries(requestSchemas)) {
      if (!(schema instanceof z.ZodObject)) continue;
      for (const [key, field] of Object.entries(schema.shape as Record<string, z.ZodType>)) {
        if (!numeric(field)) continue;
        const f = fieldsOf(schema).find((x) => x.name === key);
        expect(f, `${name}.${key} has metadata`).toBeDefined();
        expect(Number.isFinite(f!.meta.min) && Number.isFinite(f!.meta.max), `${name}.${key} has a finite range`).toBe(true);
      }
    }
    expect(rejection('runs.create', { datasetId: 'd', methods: ['simclr'], seed: 2 ** 31 }).field).toBe('seed');
    expect(rejection('runs.create', { datasetId: 'd', methods: ['simclr'], epochs: 0 }).field).toBe('epochs');
    expect(rejection('runs.create', { datasetId: 'd', methods: ['simclr'], batch: 1e9 }).field).toBe('batch');
    expect(rejection('eval.knn', { runId: 'r', k: 0 }).field).toBe('k');
    expect(rejection('augment.preview', { datasetId: 'd', count: 65 }).field).toBe('count');
    expect(rejection('datasets.import', { path: 'x', size: 4096 }).field).toBe('size');
  });

  it('refuses deep JSON without recursing', () => {
    let deep: unknown = 1;
    for (let i = 0; i < 200_000; i++) deep = [deep];
    expect(jsonDepth(deep)).toBeGreaterThan(32);
    expect(rejection('datasets.get', { id: deep })).toMatchObject({ field: 'body', message: expect.stringMatching(/nested more than/) });
  });

  it('accepts every preset\'s views as the Augment view sends them back', () => {
    for (const size of [28, 32, 64, 96, 224]) {
      for (const name of PRESET_NAMES) {
        const views = JSON.parse(JSON.stringify(resolvePreset(name, size))) as unknown[];
        expect(() => validateRequest('augment.preview', { datasetId: 'ds', views }), `${name} at ${size}`).not.toThrow();
      }
    }
  });

  it('derives the UI form bounds and defaults', () => {
    expect(formBounds(augmentPreviewRequest, 'count')).toEqual({ min: 1, max: 64, step: 1, default: 8 });
    expect(formBounds(knnRequest, 'k')).toMatchObject({ min: 1, max: 10_000, default: 200 });
    expect(formBounds(trainRequest, 'width')).toMatchObject({ min: 0, max: 8, step: 'any', default: 1 });
  });
});

describe('service entry validation', () => {
  let tmp: ServiceTest['tmp'];
  let ws: Workspace;
  let service: Service;

  beforeEach(() => void ({ tmp, ws, service } = openServiceTest()));
  afterEach(() => closeServiceTest({ tmp, ws, service }));

  it('answers augment.preview with a 4096-pixel view at once with a bad-request naming size', async () => {
    const datasetId = makeToyDataset(ws);
    const t0 = performance.now();
    const err = await service.handle('augment.preview', { datasetId, views: [view(4096) as never] }).catch((e: unknown) => e);
    expect(performance.now() - t0).toBeLessThan(500);
    expect(err).toMatchObject({ code: 'bad-request', field: 'views.0.size' });
    expect((err as Error).message).toMatch(/size/);
    // The same dataset previews fine with a sane size.
    const ok = await service.handle('augment.preview', { datasetId, views: [view(16) as never], count: 2 });
    expect(ok.rows).toHaveLength(2);
  });

  it('refuses malformed payloads before any handler runs', async () => {
    await expect(service.handle('datasets.get', {} as never)).rejects.toMatchObject({ code: 'bad-request', field: 'id' });
    await expect(service.handle('runs.get', { id: 42 } as never)).rejects.toMatchObject({ code: 'bad-request', field: 'id' });
    await expect(service.handle('runs.metrics', { id: 'r', sinceStep: -1 })).rejects.toMatchObject({ code: 'bad-request', field: 'sinceStep' });
    await expect(service.handle('eval.list', { runIds: 'run-a' } as never)).rejects.toMatchObject({ field: 'runIds' });
    await expect(service.handle('runs.create', { datasetId: 'd', methods: 'simclr' } as never)).rejects.toMatchObject({ field: 'methods' });
    expect(await service.handle('runs.list', undefined)).toEqual([]);
    expect(await service.handle('jobs.list', { anything: true } as never)).toEqual([]);
  });
});
