// ESLint (flat config). Two rules guard the architecture:
// - only two small files touch Electron's IPC objects (Heroic's boundary): src-main/app/ipc.ts
//   (ipcMain) and src-main/preload/ipc.ts (ipcRenderer); everything else goes through them;
// - the layers import downward only (../shared/DESIGN.md, README "Layout"): core imports
//   nothing above it; ml and data are libraries over core; store sits on core and may name
//   ml/data types; tasks joins them and never reaches the transports (api, engine, cli, server,
//   app) or the benches.
import tseslint from 'typescript-eslint';

const IPC_FILES = ['src-main/app/ipc.ts', 'src-main/preload/ipc.ts'];

const ELECTRON_IPC = {
  name: 'electron',
  importNames: ['ipcMain', 'ipcRenderer'],
  message: 'Only src-main/app/ipc.ts (ipcMain) and src-main/preload/ipc.ts (ipcRenderer) may use Electron IPC; go through them.',
};

/** A relative import that climbs out of its folder into one of `folders` (a top-level folder of src-main). */
const into = (folders) => `^(\\.\\./)+(${folders.join('|')})(/|$)`;
const ABOVE_TASKS = ['api', 'cli', 'engine', 'server', 'app', 'preload', 'bench'];
const NO_SQL = { name: 'better-sqlite3', message: 'Only store/ opens the database.' };

/** Per layer: the folders above it, and (for store) the ones it may only name types from. */
const LAYERS = [
  { layer: 'core', noSql: true, rule: { regex: '^\\.\\./', message: 'core/ imports nothing outside core/.' } },
  { layer: 'ml', noSql: true, rule: { regex: into(['store', 'data', 'tasks', 'report', ...ABOVE_TASKS]), message: 'ml/ is a library: it imports ml/ and core/ only (no store, data, tasks or the layers above).' } },
  { layer: 'data', noSql: true, rule: { regex: into(['store', 'ml', 'tasks', 'report', ...ABOVE_TASKS]), message: 'data/ imports data/ and core/ only.' } },
  { layer: 'report', noSql: true, rule: { regex: into(['store', 'ml', 'data', 'tasks', ...ABOVE_TASKS]), message: 'report/ renders a ReportData to HTML: it imports report/ and core/ only.' } },
  { layer: 'store', rule: { regex: into(['tasks', 'report', ...ABOVE_TASKS]), message: 'store/ imports store/ and core/ (and types from ml/ and data/) only.' },
    typesOnly: { regex: into(['ml', 'data']), allowTypeImports: true, message: 'store/ may name ml/ and data/ types, never run their code.' } },
  { layer: 'bench', rule: { regex: into(['api', 'cli', 'engine', 'server', 'app', 'preload']), message: 'bench/ measures ml, data and tasks; `pretext bench` calls it, never the other way round.' } },
  { layer: 'tasks', rule: { regex: into(ABOVE_TASKS), message: 'tasks/ joins ml, data and store; it never imports the transports (api, engine, cli, server, app) or the benches.' } },
];

export default tseslint.config(
  { ignores: ['node_modules/**', 'out/**', 'dist/**', 'test-results/**', '**/*.svelte', '**/*.d.ts'] },
  {
    files: ['**/*.ts', '**/*.mts', '**/*.js', '**/*.mjs'],
    languageOptions: { parser: tseslint.parser, ecmaVersion: 2022, sourceType: 'module' },
    linterOptions: { reportUnusedDisableDirectives: 'off' },
    rules: { 'no-restricted-imports': ['error', { paths: [ELECTRON_IPC] }] },
  },
  ...LAYERS.map(({ layer, rule, typesOnly, noSql }) => ({
    files: [`src-main/${layer}/**`],
    rules: { 'no-restricted-imports': ['error', { paths: [ELECTRON_IPC, ...(noSql ? [NO_SQL] : [])], patterns: [rule, ...(typesOnly ? [typesOnly] : [])] }] },
  })),
  { files: IPC_FILES, rules: { 'no-restricted-imports': 'off' } },
);
