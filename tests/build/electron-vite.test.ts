import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { makeTempDir } from '../helpers/tmp';

const root = join(__dirname, '..', '..');

describe('electron-vite build', () => {
  it('builds main, a CommonJS preload and the renderer', () => {
    const tmp = makeTempDir();
    try {
      const outDir = join(tmp.dir, 'out');
      execFileSync(process.execPath, [join(root, 'node_modules', 'electron-vite', 'bin', 'electron-vite.js'), 'build', '--outDir', outDir], {
        cwd: root,
        stdio: 'pipe',
        env: { ...process.env, ELECTRON_SKIP_BINARY_DOWNLOAD: '1' },
      });
      const main = readFileSync(join(outDir, 'main', 'index.js'), 'utf8');
      expect(main).toMatch(/contextIsolation: true/);
      expect(main).toMatch(/sandbox: true/);
      expect(readFileSync(join(outDir, 'preload', 'index.cjs'), 'utf8')).toMatch(/require\("electron"\)/);
      const html = readFileSync(join(outDir, 'renderer', 'index.html'), 'utf8');
      expect(html).toMatch(/Content-Security-Policy/);
      const script = /src="\.?\/?(assets\/[^"]+\.js)"/.exec(html)?.[1];
      expect(script).toBeDefined();
      expect(existsSync(join(outDir, 'renderer', script!))).toBe(true);
    } finally {
      tmp.cleanup();
    }
  });
});
