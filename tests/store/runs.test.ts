import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { resolveConfig } from '../../src-main/ml/train/config';
import { createRun, getRun, parseRunConfig } from '../../src-main/store/runs';
import { Workspace } from '../../src-main/store/workspace';
import { makeTempDir } from '../helpers/tmp';
import { makeToyDataset } from '../helpers/toyDataset';

let tmp: ReturnType<typeof makeTempDir>;
let ws: Workspace;

beforeAll(() => {
  tmp = makeTempDir();
  ws = Workspace.open(tmp.dir);
});
afterAll(() => {
  ws.close();
  tmp.cleanup();
});

const config = () => resolveConfig('byol', { epochs: 2, batch: 16, params: { projOut: 8 } }, () => 'byol-cifar');

describe('runs: the stored config', () => {
  it('comes back from the store as the typed RunConfig it was created with', () => {
    const cfg = config();
    const id = createRun(ws, makeToyDataset(ws), 'byol', cfg).id;
    expect(getRun(ws, id)!.config).toEqual(cfg);
    expect(parseRunConfig(JSON.parse(JSON.stringify(cfg)))).toEqual(cfg);
    // Same keys in the same order: a printed config reads as it was written.
    expect(JSON.stringify(getRun(ws, id)!.config)).toBe(JSON.stringify(cfg));
  });

  it('is checked field by field, naming the field at fault', () => {
    const cfg = config() as unknown as Record<string, unknown>;
    expect(() => parseRunConfig(null)).toThrow(/run config: the config must be an object/);
    expect(() => parseRunConfig([])).toThrow(/must be an object/);
    expect(() => parseRunConfig({ ...cfg, epochs: '2' })).toThrow(expect.objectContaining({ field: 'config.epochs', message: 'run config: epochs must be a number' }));
    expect(() => parseRunConfig({ ...cfg, method: 3 })).toThrow(/method must be a string/);
    expect(() => parseRunConfig({ ...cfg, optimizer: 'adam' })).toThrow(/optimizer must be one of sgd, lars, adamw/);
    expect(() => parseRunConfig({ ...cfg, excludeBiasAndNorm: 1 })).toThrow(/excludeBiasAndNorm must be a boolean/);
    expect(() => parseRunConfig({ ...cfg, params: { projOut: [8] } })).toThrow(/params.projOut must be a number, string or boolean/);
    const { seed: _seed, ...noSeed } = cfg;
    expect(() => parseRunConfig(noSeed)).toThrow(/seed must be a number/);
  });
});
