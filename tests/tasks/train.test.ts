import * as tf from '@tensorflow/tfjs-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { useBackend } from '../../src-main/ml/backend';
import { methods } from '../../src-main/ml/methods';
import { resolveConfig } from '../../src-main/ml/train/config';
import { runTraining } from '../../src-main/tasks/train';
import { presetForMethod } from '../../src-main/ml/augment';
import { createRun, getRun, latestCheckpoint, runMetrics } from '../../src-main/store/runs';
import { Workspace } from '../../src-main/store/workspace';
import { makeTempDir } from '../helpers/tmp';
import { makeToyDataset } from '../helpers/toyDataset';

let tmp: ReturnType<typeof makeTempDir>;
let ws: Workspace;
let datasetId: string;

// wasm with the project's kernels is the backend that trains here; PRETEXT_TEST_BACKEND=cpu checks the reference.
const BACKEND = (process.env['PRETEXT_TEST_BACKEND'] ?? 'wasm') as 'cpu' | 'wasm';

beforeAll(async () => {
  await useBackend(BACKEND);
  tmp = makeTempDir();
  ws = Workspace.open(tmp.dir);
  datasetId = makeToyDataset(ws);
});
afterAll(() => {
  ws.close();
  tmp.cleanup();
});

/** Tiny heads so every method runs in a second on the cpu backend. */
const small: Record<string, Record<string, number>> = {
  simclr: { projHidden: 16, projOut: 8 },
  moco: { projHidden: 16, projOut: 8, queueSize: 32 },
  byol: { projHidden: 16, projOut: 8, predHidden: 16 },
  simsiam: { projHidden: 16, projOut: 8, predHidden: 8 },
  barlow: { projHidden: 16, projOut: 16 },
  vicreg: { projHidden: 16, projOut: 16 },
  simclrv2: { projHidden: 16, projOut: 8 },
  dcl: { projHidden: 16, projOut: 8 },
  hcl: { projHidden: 16, projOut: 8 },
  flatnce: { projHidden: 16, projOut: 8 },
  alignuniform: { projOut: 8 },
  invaspread: { projOut: 8 },
  nnclr: { projHidden: 16, projOut: 8, predHidden: 16, queueSize: 32 },
  instdisc: { projOut: 8, negatives: 16 },
  mocov3: { projHidden: 16, projOut: 8, predHidden: 16 },
  mocov1: { projOut: 8, queueSize: 32 },
  deepclusterv2: { projHidden: 16, projOut: 8 },
  swav: { projHidden: 16, projOut: 8, prototypes: 10, queueSize: 16 },
  dino: { projHidden: 16, projOut: 8, prototypes: 10 },
  rotation: {},
  jigsaw: { permutations: 10, hidden: 16 },
  counting: { counts: 8, hidden: 16 },
  context: { hidden: 16 },
  mae: { decoderDim: 16, decoderDepth: 1, decoderHeads: 2 },
  data2vec: {},
  pirl: { projOut: 8, negatives: 16 },
  cpc: { targetDim: 8, contextDim: 8, contextBlocks: 1 },
  supervised: {},
  random: {},
};

function newRun(method: string, epochs: number, seed = 3): string {
  // Masked image modelling masks a ViT's patch tokens: those methods train vit-mini.
  const backbone = methods[method]!.requiresViT ? 'vit-mini' : undefined;
  const cfg = resolveConfig(method, { epochs, batch: 16, seed, width: 0.25, params: small[method], lr: 0.05, ...(backbone ? { backbone } : {}) }, (base) => presetForMethod(base, 8));
  return createRun(ws, datasetId, method, cfg).id;
}

function sequence(runId: string): Record<string, [number, number][]> {
  const out: Record<string, [number, number][]> = {};
  for (const m of runMetrics(ws, runId)) {
    if (m.name === 'views_per_s') continue; // a timing, not a result
    (out[m.name] ??= []).push([m.step, m.value]);
  }
  return out;
}

describe('trainer', () => {
  for (const method of Object.keys(methods)) {
    it(`${method}: trains an epoch, records metrics, leaks no tensors`, async () => {
      const before = tf.memory().numTensors;
      const id = newRun(method, 1);
      const perStep: number[] = [];
      const result = await runTraining(ws, id, { onStep: () => perStep.push(tf.memory().numTensors) });
      expect(new Set(perStep).size, `tensors after each step: ${perStep.join(', ')}`).toBeLessThanOrEqual(1);
      expect(result.status).toBe('completed');
      const run = getRun(ws, id)!;
      expect(run.status).toBe('completed');
      expect(run.backend).toBe(BACKEND);
      // What was built is recorded: the backbone's parameters, and the heads' on top for a method that trains.
      expect(run.modelInfo['backboneParams']).toBeGreaterThan(1000);
      expect(run.modelInfo['featureDim']).toBeGreaterThan(0);
      if (method !== 'random') expect(run.modelInfo['trainableParams']).toBeGreaterThan(run.modelInfo['backboneParams']!);
      const seq = sequence(id);
      expect(seq['knn_top1']).toHaveLength(1);
      expect(seq['feature_std']![0]![1]).toBeGreaterThan(0);
      if (method === 'random') {
        expect(seq['loss']).toBeUndefined();
      } else {
        expect(seq['loss']!.length).toBe(3); // 48 train images / batch 16
        for (const [, v] of seq['loss']!) expect(Number.isFinite(v)).toBe(true);
        // A method's per-term metrics reach the store per step, like the loss.
        const terms = {
          vicreg: ['invariance', 'variance', 'covariance'],
          alignuniform: ['alignment', 'uniformity'],
          swav: ['global', 'local', 'codes_entropy'],
          dino: ['teacher_entropy', 'kl'],
          rotation: ['acc'],
          jigsaw: ['acc'],
          context: ['acc'],
          pirl: ['jigsaw', 'image'],
          counting: ['equal', 'contrast'],
          cpc: ['acc'],
        }[method] ?? [];
        for (const t of terms) expect(seq[`loss_${t}`], t).toHaveLength(3);
      }
      expect(latestCheckpoint(ws, id)).toBeDefined();
      expect(tf.memory().numTensors).toBe(before);
    });
  }

  // BYOL: EMA target; MoCo: queues; NNCLR: support set; instdisc: memory bank, Z, seeded noise;
  // MoCo v1: shuffled sub-batches; DeepCluster v2: memory, k-means at the epoch's start (onEpochStart);
  // SwAV: multi-crop, queues used from epoch 1, prototypes frozen in epoch 0; DINO: EMA
  // teacher, center, last layer frozen in epoch 0. rotation, jigsaw, context: task views' targets drawn from the seed path.
  it.each([['byol', 'moco', 'nnclr', 'instdisc'], ['mocov1', 'deepclusterv2'], ['swav', 'dino'], ['rotation', 'jigsaw', 'context']])('a run cancelled mid-epoch and resumed records exactly what an uninterrupted run records (%s, …)', { timeout: 300_000 }, async (...group) => {
    for (const method of group) {
      const straight = newRun(method, 3);
      await runTraining(ws, straight);
      const interrupted = newRun(method, 3);
      const controller = new AbortController();
      const first = await runTraining(ws, interrupted, {
        signal: controller.signal,
        onStep: (e) => {
          if (e.epoch === 1 && e.step === 4) controller.abort(); // mid-epoch 2 (steps 3–5): it is lost
        },
      });
      expect(first.status).toBe('cancelled');
      expect(getRun(ws, interrupted)!.status).toBe('cancelled');
      expect(getRun(ws, interrupted)!.epochsDone).toBe(1);
      const resumed = await runTraining(ws, interrupted);
      expect(resumed.status).toBe('completed');
      const a = sequence(straight);
      const b = sequence(interrupted);
      expect(Object.keys(b).sort()).toEqual(Object.keys(a).sort());
      expect(a['loss']).toHaveLength(9);
      expect(b, method).toEqual(a);
    }
  });

  it('different seeds give different runs; the same seed the same run', async () => {
    const a = newRun('simclr', 1, 5);
    const b = newRun('simclr', 1, 5);
    const c = newRun('simclr', 1, 6);
    for (const id of [a, b, c]) await runTraining(ws, id);
    expect(sequence(a)).toEqual(sequence(b));
    expect(sequence(a)['loss']).not.toEqual(sequence(c)['loss']);
  });

  it('a diverging run fails with a clear message and is marked failed', async () => {
    const cfg = resolveConfig('simclr', { epochs: 1, batch: 16, width: 0.25, params: small['simclr'], lr: 1e30, warmupEpochs: 0 }, (b) => presetForMethod(b, 8));
    const id = createRun(ws, datasetId, 'simclr', cfg).id;
    await expect(runTraining(ws, id)).rejects.toThrow(/loss became .* at step \d+.*lower --lr/);
    expect(getRun(ws, id)!.status).toBe('failed');
  });
});

describe('heads', () => {
  it("SimSiam's last projector batch norm has no trainable affine parameters", async () => {
    const { mlpHead, simSiamProjector, trainableVariables } = await import('../../src-main/ml/heads/mlp');
    const head = mlpHead('t', 4, simSiamProjector(8, 6));
    // 3 dense kernels (+1 bias on none: BN follows each) + 2 affine BNs × (γ, β); the last BN none.
    expect(trainableVariables(head)).toHaveLength(3 + 4);
    const y = tf.tidy(() => head.apply(tf.randomNormal([5, 4]), { training: true }) as tf.Tensor);
    expect(y.shape).toEqual([5, 6]);
    y.dispose();
    head.dispose();
  });

  it("SimCLR v2's projector: three bias-free layers with BN, the last BN scales but does not shift", async () => {
    const { mlpHead, simclrV2Projector, trainableVariables } = await import('../../src-main/ml/heads/mlp');
    const head = mlpHead('v2', 4, simclrV2Projector(8, 6));
    // 3 dense kernels + 2 BNs × (γ, β) + the last BN's γ.
    expect(trainableVariables(head)).toHaveLength(3 + 4 + 1);
    head.dispose();
  });
});
