// neighbours.query through the service: a job in the work process whose result carries the
// thumbnails of the query and of every neighbour; the query is checked at entry.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { JobInfo, NeighboursResult } from '../../src-main/api/contract';
import { createService, type Service } from '../../src-main/api/service';
import { getDataset } from '../../src-main/store/datasets';
import { readItems } from '../../src-main/tasks/thumbnail';
import { runTraining } from '../../src-main/tasks/train';
import { waitFor } from '../helpers/events';
import { tinyRun, toyWorkspace, type ToyWorkspace } from '../helpers/evalRuns';

let toy: ToyWorkspace;
let service: Service;
let runId: string;

beforeAll(async () => {
  toy = await toyWorkspace();
  runId = tinyRun(toy, 'simclr', 1, 4);
  await runTraining(toy.ws, runId);
  service = createService(toy.ws, { backend: 'cpu', dataRoots: [join(toy.ws.dir, 'tmp')] });
}, 120_000);
afterAll(async () => {
  await service.close();
  toy.close();
});

const finished = (jobId: string) => waitFor(service, 'job.finished', (j: JobInfo) => j.id === jobId);
const refusal = (req: unknown) => service.handle('neighbours.query', req as never).then(() => null, (e: { field?: string; message: string }) => e);

describe('neighbours.query', () => {
  it('runs as a job (embeddings computed with progress) and returns neighbours with thumbnails', { timeout: 60_000 }, async () => {
    const { jobId } = await service.handle('neighbours.query', { runIds: [runId], index: 50, k: 4 });
    const job = await finished(jobId);
    expect(job.error).toBeNull();
    expect(job.kind).toBe('neighbours');
    const r = job.result as NeighboursResult;
    expect(r.query).toMatchObject({ index: 50, label: 0, className: 'class0' });
    expect(r.query.thumb).toMatch(/^data:image\/png;base64,/);
    expect(r.runs[0]!.neighbours).toHaveLength(4);
    for (const n of r.runs[0]!.neighbours) expect(n.thumb).toMatch(/^data:image\/png;base64,/);
  });

  it('embeds an uploaded file; refuses a path outside the uploads and the data roots', { timeout: 60_000 }, async () => {
    const row = getDataset(toy.ws, toy.datasetId)!;
    const file = join(toy.ws.makeTmp('q'), 'q.png');
    writeFileSync(file, await sharp(readItems(toy.ws, row, 50), { raw: { width: 8, height: 8, channels: 3 } }).png().toBuffer());
    const job = await finished((await service.handle('neighbours.query', { runIds: [runId], path: file, k: 2 })).jobId);
    expect(job.error).toBeNull();
    expect((job.result as NeighboursResult).runs[0]!.neighbours[0]!.index).toBe(50);
    expect((await refusal({ runIds: [runId], path: '/etc/passwd' }))?.message).toMatch(/not allowed/);
  });

  it('checks the request at entry: k 1..100, one query, known runs', async () => {
    expect((await refusal({ runIds: [runId], index: 1, k: 101 }))?.field).toBe('k');
    expect((await refusal({ runIds: [], index: 1 }))?.field).toBe('runIds');
    expect((await refusal({ runIds: [runId] }))?.message).toMatch(/give index .* or path/);
    expect((await refusal({ runIds: [runId], index: 1, path: '/x.png' }))?.message).toMatch(/one of the two/);
    expect((await refusal({ runIds: ['run-nope'], index: 1 }))?.message).toMatch(/run 'run-nope'/);
  });
});
