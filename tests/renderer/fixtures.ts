// DTOs as the engine sends them, for the renderer's tests.
import type { JobInfo, RunInfo } from '../../src-main/api/contract';

export function run(id: string, over: Partial<RunInfo> = {}): RunInfo {
  return {
    id, datasetId: 'd1', datasetName: 'tiny', method: 'simclr', config: { backbone: 'small', width: 0.25 }, backend: 'cpu', backendInfo: {}, modelInfo: { backboneParams: 702_000, trainableParams: 1_500_000, featureDim: 128 },
    status: 'completed', epochs: 2, epochsDone: 2, stepsDone: 10, totalSteps: 10, trainSeconds: 12.5, createdAt: '2026-01-01T00:00:00Z',
    startedAt: null, finishedAt: null, error: null, latest: {}, jobId: null, groupId: null, sweep: null, tags: [], notes: '', recipeUnsupported: null, external: null, ...over,
  };
}

export function job(id: string, over: Partial<JobInfo> = {}): JobInfo {
  return {
    id, kind: 'train', label: `train ${id}`, status: 'running', done: 3, total: 10, unit: 'steps', etaSeconds: 65, message: '',
    startedAt: '2026-01-01T00:00:00Z', finishedAt: null, error: null, ...over,
  };
}
