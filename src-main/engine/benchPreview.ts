/**
 * Measures what the UI feels while a run trains: augment.preview and runs.list latency through
 * the EngineHost (engine process + training child), idle and during training.
 *   node --import tsx src-main/engine/benchPreview.ts [--backend wasm] [--requests 20]
 * Prints one JSON object. Uses a temp workspace with the bundled Fashion-MNIST sample.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import type { RequestName, RequestOf } from '../api/contract';
import { EngineHost, forkEngine } from './host';

const { values } = parseArgs({ options: { backend: { type: 'string' }, requests: { type: 'string', default: '20' }, width: { type: 'string', default: '0.5' } } });
const n = Number(values.requests);

function stats(ms: number[]) {
  const s = [...ms].sort((a, b) => a - b);
  const q = (p: number) => s[Math.min(s.length - 1, Math.floor(p * s.length))]!;
  return { n: s.length, median: +q(0.5).toFixed(1), p95: +q(0.95).toFixed(1), max: +s[s.length - 1]!.toFixed(1) };
}

async function timed<N extends RequestName>(host: EngineHost, name: N, req: RequestOf<N>, count: number): Promise<number[]> {
  const out: number[] = [];
  for (let i = 0; i < count; i++) {
    const t = performance.now();
    await host.request(name, req);
    out.push(performance.now() - t);
    await new Promise((r) => setTimeout(r, 100));
  }
  return out;
}

const dir = mkdtempSync(join(tmpdir(), 'pretext-bench-preview-'));
const host = new EngineHost({ spawn: forkEngine(), workspaceDir: dir, backend: values.backend });
try {
  await host.start();
  const { jobId } = await host.request('datasets.importSample', { name: 'fashion-mnist' });
  const datasetId = await new Promise<string>((resolve, reject) =>
    host.onEvents((b) => {
      for (const e of b) {
        if (e.event === 'job.finished' && e.payload.id === jobId) {
          if (e.payload.status !== 'completed') reject(new Error(e.payload.error ?? e.payload.status));
          else resolve((e.payload.result as { id: string }).id);
        }
      }
    }),
  );
  const preview = { datasetId, method: 'simclr', count: 8, seed: 0 };
  await host.request('augment.preview', preview); // warm-up
  const idle = await timed(host, 'augment.preview', preview, n);
  const idleList = await timed(host, 'runs.list', undefined, 5);

  const { jobIds } = await host.request('runs.create', { datasetId, methods: ['simclr'], epochs: 1, width: Number(values.width) });
  let steps = 0;
  let stepSeconds = 0;
  host.onEvents((b) => {
    for (const e of b) if (e.event === 'job.progress' && e.payload.id === jobIds[0]) {
      steps = e.payload.done;
      stepSeconds = e.payload.etaSeconds !== null && e.payload.total > e.payload.done ? e.payload.etaSeconds / (e.payload.total - e.payload.done) : stepSeconds;
    }
  });
  while (steps < 2) await new Promise((r) => setTimeout(r, 200));
  const busy = await timed(host, 'augment.preview', { ...preview, seed: 1 }, n);
  const busyList = await timed(host, 'runs.list', undefined, 5);
  const stepsDuring = steps;
  await host.request('jobs.cancel', { id: jobIds[0]! });
  const info = await host.request('app.info', undefined);
  console.log(
    JSON.stringify({
      backend: info.backend?.name,
      device: info.backend?.device,
      trainStepSeconds: +stepSeconds.toFixed(2),
      stepsDoneWhileMeasuring: stepsDuring,
      previewMsIdle: stats(idle),
      previewMsDuringTraining: stats(busy),
      runsListMsIdle: stats(idleList),
      runsListMsDuringTraining: stats(busyList),
    }),
  );
} finally {
  await host.stop();
  rmSync(dir, { recursive: true, force: true });
}
