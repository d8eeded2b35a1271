import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { EngineHost, forkEngine } from '../../src-main/engine/host';
import { makeTempDir } from '../helpers/tmp';
import {
  dirnameJoinsOf,
  electronMembersOf,
  esmImportsOf,
  isBuiltin,
  packageOf,
  requiresOf,
  SANDBOXED_ELECTRON_MODULES,
  SANDBOXED_PRELOAD_MODULES,
  selfRelativeUrlsOf,
} from './bundleChecks';

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
      // data/import/workerPool.ts starts the decode worker next to the module that imports it.
      expect(engine).toContain('new URL("./decodeWorker.mjs", import.meta.url)');
      expect(existsSync(join(outDir, 'main', 'decodeWorker.mjs'))).toBe(true);
      expect(existsSync(join(outDir, 'main', 'trainChild.js'))).toBe(true);
      expect(existsSync(join(outDir, 'main', 'workChild.js'))).toBe(true);
      const preload = readFileSync(join(outDir, 'preload', 'index.cjs'), 'utf8');
      expect(preload).toMatch(/require\("electron"\)/);
      expect(preload).toMatch(/exposeInMainWorld\("pretext"/);
      checkSandboxedPreload(preload);
      checkMainSide(outDir);
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

/**
 * A sandboxed preload is one CommonJS file whose polyfilled require loads only electron's
 * renderer modules, events, timers and url: anything else (a split chunk, node:fs, a package)
 * fails when the window opens, which no test here could otherwise see.
 */
function checkSandboxedPreload(code: string): void {
  const { modules, dynamic } = requiresOf(code);
  expect(dynamic).toBe(0);
  expect(modules.filter((m) => !(SANDBOXED_PRELOAD_MODULES as readonly string[]).includes(m))).toEqual([]);
  expect(electronMembersOf(code).filter((m) => !(SANDBOXED_ELECTRON_MODULES as readonly string[]).includes(m))).toEqual([]);
  // No ES module syntax: a sandboxed preload cannot be ESM.
  expect(esmImportsOf(code)).toEqual([]);
  expect(code).not.toMatch(/\bimport\.meta\b/);
}

/**
 * out/main: ES modules (package.json "type": "module"). The Electron main (index.js) finds the
 * preload, the renderer and the process entries from its own directory (__dirname, which
 * electron-vite defines from import.meta.dirname in an ES module); every module that locates a
 * file next to itself finds it (the decode worker beside the engine); and every package they
 * import is a dependency, which a packaged app has (devDependencies it has not), while only
 * the main process imports electron (the engine runs in a utilityProcess, its children as
 * plain Node with ELECTRON_RUN_AS_NODE).
 */
function checkMainSide(outDir: string): void {
  const mainDir = join(outDir, 'main');
  // This build sits elsewhere; in the app out/ is at the app's root (the clone, or app.asar), next to package.json and resources/.
  const inApp = (path: string) => {
    const r = relative(outDir, path);
    return r.startsWith('..') ? join(root, 'out', r) : path;
  };
  const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { type?: string; dependencies?: Record<string, string>; optionalDependencies?: Record<string, string> };
  expect(pkg.type).toBe('module');
  const runtimeDeps = new Set([...Object.keys(pkg.dependencies ?? {}), ...Object.keys(pkg.optionalDependencies ?? {})]);
  const index = readFileSync(join(mainDir, 'index.js'), 'utf8');
  expect(index).toMatch(/^const __dirname = import\.meta\.dirname;$/m);
  const joined = dirnameJoinsOf(index).map((parts) => relative(mainDir, join(mainDir, ...parts)).replace(/\\/g, '/'));
  for (const target of ['../preload/index.cjs', '../renderer', 'engine.js', 'trainChild.js', 'workChild.js']) expect(joined).toContain(target);
  for (const target of joined) expect(existsSync(join(mainDir, target)), `out/main/index.js joins __dirname with ${target}`).toBe(true);
  expect(existsSync(join(mainDir, '../renderer/index.html'))).toBe(true);
  // The window's guards are wired (their logic is unit-tested in tests/app; here: they are called).
  for (const guard of ['will-frame-navigate', 'will-redirect', 'will-attach-webview', 'setWindowOpenHandler', 'setPermissionRequestHandler', 'setPermissionCheckHandler', 'requestSingleInstanceLock', 'ipcMain.handle']) {
    expect(index, guard).toContain(guard);
  }

  // Defaults for running from the sources, which the app replaces (engine.js, and the children via the engine's env).
  const sourceOnly = new Set(['./entry.mjs', './trainChild.mjs', './workChild.mjs']);
  const files = readdirSync(mainDir, { recursive: true, encoding: 'utf8' }).filter((f) => /\.m?js$/.test(f));
  for (const file of files) {
    const code = readFileSync(join(mainDir, file), 'utf8');
    // A native addon is loaded by its package from its own folder, never from a bundled copy.
    expect(code.match(/[\w./-]+\.node\b(?=["'`])/g) ?? [], `out/main/${file} names a native addon path`).toEqual([]);
    for (const rel of selfRelativeUrlsOf(code)) {
      if (sourceOnly.has(rel)) continue;
      expect(existsSync(inApp(join(mainDir, dirname(file), rel))), `out/main/${file} locates ${rel} next to itself`).toBe(true);
    }
    for (const spec of esmImportsOf(code)) {
      if (spec.startsWith('.') || isBuiltin(spec)) continue;
      if (spec === 'electron') {
        expect(file, 'only the main process imports electron').toBe('index.js');
        continue;
      }
      expect(runtimeDeps.has(packageOf(spec)), `out/main/${file} imports ${spec}, not a dependency of the packaged app`).toBe(true);
    }
  }
}
