// ESLint (flat config). The one rule that guards the architecture: only two small files touch
// Electron's IPC objects (Heroic's boundary) — src-main/app/ipc.ts (ipcMain) and
// src-main/preload/ipc.ts (ipcRenderer); everything else goes through them.
import tseslint from 'typescript-eslint';

const IPC_FILES = ['src-main/app/ipc.ts', 'src-main/preload/ipc.ts'];

export default tseslint.config(
  { ignores: ['node_modules/**', 'out/**', 'dist/**', 'test-results/**', '**/*.svelte', '**/*.d.ts'] },
  {
    files: ['**/*.ts', '**/*.mts', '**/*.js', '**/*.mjs'],
    languageOptions: { parser: tseslint.parser, ecmaVersion: 2022, sourceType: 'module' },
    linterOptions: { reportUnusedDisableDirectives: 'off' },
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: [
            {
              name: 'electron',
              importNames: ['ipcMain', 'ipcRenderer'],
              message: 'Only src-main/app/ipc.ts (ipcMain) and src-main/preload/ipc.ts (ipcRenderer) may use Electron IPC; go through them.',
            },
          ],
        },
      ],
    },
  },
  { files: IPC_FILES, rules: { 'no-restricted-imports': 'off' } },
);
