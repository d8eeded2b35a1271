import { join } from 'node:path';
import { ESLint } from 'eslint';
import { describe, expect, it } from 'vitest';

const root = join(__dirname, '..', '..');

async function lintText(code: string, file: string): Promise<string[]> {
  const eslint = new ESLint({ cwd: root });
  const [result] = await eslint.lintText(code, { filePath: join(root, file) });
  return result!.messages.map((m) => `${m.ruleId}: ${m.message}`);
}

describe('ESLint: the IPC boundary', () => {
  it('the tree has no lint errors', async () => {
    const eslint = new ESLint({ cwd: root });
    const results = await eslint.lintFiles(['src-main', 'src-renderer/src', 'tests', 'electron.vite.config.ts']);
    const errors = results.flatMap((r) => r.messages.filter((m) => m.severity === 2).map((m) => `${r.filePath}:${m.line} ${m.ruleId}: ${m.message}`));
    expect(errors).toEqual([]);
    expect(results.length).toBeGreaterThan(50);
  }, 120_000);

  it('forbids ipcMain / ipcRenderer from electron outside the two IPC files', async () => {
    expect(await lintText("import { ipcMain } from 'electron';\nipcMain.handle('x', () => 1);\n", 'src-main/app/main.ts')).toEqual([
      expect.stringMatching(/^no-restricted-imports: .*ipcMain.*src-main\/app\/ipc\.ts/),
    ]);
    expect(await lintText("import { contextBridge, ipcRenderer } from 'electron';\nvoid contextBridge; void ipcRenderer;\n", 'src-main/preload/index.ts')).toHaveLength(1);
    expect(await lintText("import * as electron from 'electron';\nvoid electron;\n", 'src-renderer/src/lib/x.ts')).toHaveLength(1);
    expect(await lintText("import { ipcMain } from 'electron';\nvoid ipcMain;\n", 'src-main/app/ipc.ts')).toEqual([]);
    expect(await lintText("import { ipcRenderer } from 'electron';\nvoid ipcRenderer;\n", 'src-main/preload/ipc.ts')).toEqual([]);
    expect(await lintText("import { app, BrowserWindow } from 'electron';\nvoid app; void BrowserWindow;\n", 'src-main/app/main.ts')).toEqual([]);
  });
});
