import { join } from 'node:path';
import { ESLint } from 'eslint';
import { describe, expect, it } from 'vitest';

const root = join(__dirname, '..', '..');

async function lintText(code: string, file: string): Promise<string[]> {
  const eslint = new ESLint({ cwd: root });
  const [result] = await eslint.lintText(code, { filePath: join(root, file) });
  return result!.messages.map((m) => `${m.ruleId}: ${m.message}`);
}

describe('ESLint: the IPC boundary and the layers', () => {
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

  it('forbids a layer to import the layers above it (issue 10)', async () => {
    const layerError = /^no-restricted-imports: .*import is restricted/;
    // ml/ is a library: no store, data, tasks, contract or transports, at any depth.
    expect(await lintText("import { getRun } from '../../store/runs';\nvoid getRun;\n", 'src-main/ml/eval/x.ts')).toEqual([expect.stringMatching(layerError)]);
    expect(await lintText("import type { RunInfo } from '../api/contract';\nexport type X = RunInfo;\n", 'src-main/ml/x.ts')).toEqual([expect.stringMatching(layerError)]);
    expect(await lintText("import Database from 'better-sqlite3';\nvoid Database;\n", 'src-main/ml/x.ts')).toHaveLength(1);
    // data/ and core/.
    expect(await lintText("import { a } from '../../tasks/import';\nvoid a;\n", 'src-main/data/formats/x.ts')).toHaveLength(1);
    expect(await lintText("import { a } from '../ml/a';\nvoid a;\n", 'src-main/core/x.ts')).toHaveLength(1);
    // store/ may name ml types but not run ml code; tasks/ never reaches the transports.
    expect(await lintText("import { resolveConfig } from '../ml/train/config';\nvoid resolveConfig;\n", 'src-main/store/x.ts')).toHaveLength(1);
    expect(await lintText("import type { RunConfig } from '../ml/train/config';\nexport type X = RunConfig;\n", 'src-main/store/x.ts')).toEqual([]);
    expect(await lintText("import { PretextError } from '../cli/errors';\nvoid PretextError;\n", 'src-main/tasks/x.ts')).toHaveLength(1);
    // Downward imports are fine.
    expect(await lintText("import { getRun } from '../store/runs';\nimport { knnTop1 } from '../ml/eval/knn';\nvoid getRun; void knnTop1;\n", 'src-main/tasks/x.ts')).toEqual([]);
    expect(await lintText("import { PretextError } from '../../core/errors';\nvoid PretextError;\n", 'src-main/ml/eval/x.ts')).toEqual([]);
  });
});
