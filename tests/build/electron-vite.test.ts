import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { EngineHost, forkEngine } from '../../src-main/engine/host';
import { makeTempDir } from '../helpers/tmp';

const root = join(__dirname, '..', '..');

describe('electron-vite build', () => {
  it('builds main, the engine, its training child and decode worker, a CommonJS preload and the renderer; the built engine runs', async () => {
    // Inside the repo (ignored), so the built entries resolve the externalised node_modules.
    const outDir = join(root, 'node_modules', '.cache', `pretext-build-test-${process.pid}`);
    const tmp = makeTempDir();
    mkdirSync(outDir, { recursive: true });
    try {
      execFileSync(process.execPath, [join(root, 'node_modules', 'electron-vite', 'bin', 'electron-vite.js'), 'build', '--outDir', outDir], {
        cwd: root,
        stdio: 'pipe',
        env: { ...process.env, ELECTRON_SKIP_BINARY_DOWNLOAD: '1' },
      });
      const main = readFileSync(join(outDir, 'main', 'index.js'), 'utf8');
      expect(main).toMatch(/contextIsolation: true/);
      expect(main).toMatch(/sandbox: true/);
      expect(main).toMatch(/utilityProcess\.fork/);
      const engine = readFileSync(join(outDir, 'main', 'engine.js'), 'utf8');
      expect(engine).toMatch(/parentPort/);
      // worker-pool.ts starts the decode worker next to the module that imports it.
      expect(engine).toContain('new URL("./decode-worker.mjs", import.meta.url)');
      expect(existsSync(join(outDir, 'main', 'decode-worker.mjs'))).toBe(true);
      expect(existsSync(join(outDir, 'main', 'trainChild.js'))).toBe(true);
      expect(existsSync(join(outDir, 'main', 'workChild.js'))).toBe(true);
      const preload = readFileSync(join(outDir, 'preload', 'index.cjs'), 'utf8');
      expect(preload).toMatch(/require\("electron"\)/);
      expect(preload).toMatch(/exposeInMainWorld\("pretext"/);
      const html = readFileSync(join(outDir, 'renderer', 'index.html'), 'utf8');
      expect(html).toMatch(/Content-Security-Policy/);
      const script = /src="\.?\/?(assets\/[^"]+\.js)"/.exec(html)?.[1];
      expect(script).toBeDefined();
      expect(existsSync(join(outDir, 'renderer', script!))).toBe(true);

      // The built engine (plain Node here; a utilityProcess in the app) answers requests.
      const host = new EngineHost({ spawn: forkEngine(join(outDir, 'main', 'engine.js')), workspaceDir: join(tmp.dir, 'ws'), backend: 'cpu', trainChildPath: join(outDir, 'main', 'trainChild.js'), workChildPath: join(outDir, 'main', 'workChild.js') });
      try {
        await host.start();
        const info = await host.request('app.info', undefined);
        expect(info.backend?.name).toBe('cpu');
        expect(await host.request('datasets.list', undefined)).toEqual([]);
      } finally {
        await host.stop();
      }
    } finally {
      rmSync(outDir, { recursive: true, force: true });
      tmp.cleanup();
    }
  }, 300_000);
});
