/**
 * Issue 16: every CLI start printed Dawn's XDG_RUNTIME_DIR and Vulkan warnings on a machine
 * without a GPU. Auto-selection now skips webgpu with the reason when no GPU device can exist,
 * without starting Dawn; `pretext doctor` still asks Dawn and reports its own reason.
 */
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { noGpuDevice, type GpuHost } from '../../../src-main/ml/backend/webgpu';
import { tinyRun, toyWorkspace, type ToyWorkspace } from '../../helpers/evalRuns';

const host = (over: Partial<GpuHost> & { files?: string[] } = {}): GpuHost => ({
  platform: 'linux',
  env: {},
  list: (dir) => (over.files ?? []).filter((f) => f.startsWith(`${dir}/`)).map((f) => f.slice(dir.length + 1)),
  exists: (p) => (over.files ?? []).includes(p),
  ...over,
});

describe('noGpuDevice', () => {
  it('finds no device on a Linux box without render node, NVIDIA or WSL GPU, or a named Vulkan driver', () => {
    expect(noGpuDevice(host())).toMatch(/^webgpu: no GPU device \(no \/dev\/dri render node/);
    expect(noGpuDevice(host({ files: ['/dev/dri/card0'] }))).not.toBeNull();
  });
  it('lets Dawn look wherever a GPU might be', () => {
    expect(noGpuDevice(host({ files: ['/dev/dri/renderD128'] }))).toBeNull();
    expect(noGpuDevice(host({ files: ['/dev/nvidia0'] }))).toBeNull();
    expect(noGpuDevice(host({ files: ['/dev/dxg'] }))).toBeNull();
    expect(noGpuDevice(host({ env: { VK_ICD_FILENAMES: '/usr/share/vulkan/icd.d/vk_swiftshader_icd.json' } }))).toBeNull();
    expect(noGpuDevice(host({ platform: 'darwin' }))).toBeNull();
    expect(noGpuDevice(host({ platform: 'win32' }))).toBeNull();
  });
});

const bin = join(__dirname, '..', '..', '..', 'src-main', 'cli', 'bin.mjs');
const DAWN_NOISE = /XDG_RUNTIME_DIR|Vulkan|BackendType/;

describe.skipIf(noGpuDevice() === null)('a CLI start on this GPU-less machine', () => {
  let t: ToyWorkspace;
  let runId: string;
  beforeAll(async () => {
    t = await toyWorkspace();
    runId = tinyRun(t, 'simclr', 1, 0);
  });
  afterAll(() => t.close());

  const cli = (...args: string[]) => spawnSync(process.execPath, [bin, '--workspace', t.ws.dir, ...args], { encoding: 'utf8', env: { ...process.env, PRETEXT_BACKEND: '' }, timeout: 60_000 });

  it('prints no Dawn warnings where a command picks its backend', () => {
    // project picks a backend, then stops at the run's missing checkpoint.
    const r = cli('project', runId, '--algo', 'pca');
    expect(r.stderr).toMatch(/checkpoint/);
    expect(r.stderr).not.toMatch(DAWN_NOISE);
  });

  it('pretext doctor still says why webgpu is unavailable, in Dawn’s words', () => {
    const r = cli('--json', 'doctor');
    expect(r.status, r.stderr).toBe(0);
    const webgpu = (JSON.parse(r.stdout) as { backends: { name: string; loaded: boolean; reason?: string }[] }).backends.find((b) => b.name === 'webgpu')!;
    expect(webgpu.loaded).toBe(false);
    expect(webgpu.reason).toMatch(/^webgpu: /);
    expect(webgpu.reason).not.toMatch(/no GPU device/);
  });
});
