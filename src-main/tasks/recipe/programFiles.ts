/**
 * Where the exported recipe's Python files are (issue 15): train.py and ddp_parts.py
 * (resources/recipe/) and the PyTorch peer's method modules (src-main/bench/peer/). Three
 * layouts, tried in this order:
 * - PRETEXT_RECIPE_DIR (the desktop app's main process sets it to <resources>/recipe, where
 *   build/electron-builder.yml's extraResources puts all six files, outside app.asar);
 * - process.resourcesPath/recipe (an Electron process of the packaged app);
 * - a checkout (or the electron-vite build inside one): the nearest folder above this module
 *   with resources/recipe/train.py and src-main/bench/peer/ (src-main/tasks/recipe/ in the
 *   sources, out/main/ in the build).
 * A layout counts only when every file is there; none: an error naming where it looked.
 */
import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { PretextError } from '../../core/errors';

export const RECIPE_PROGRAM = ['train.py', 'ddp_parts.py'] as const;
export const RECIPE_PEER = ['ssl_methods.py', 'ssl_parts.py', 'torch_quality.py', 'torch_engine.py'] as const;

export interface ProgramFile {
  /** The name it gets in the exported folder. */
  name: string;
  /** Where it is read from. */
  path: string;
}

export interface ProgramSearch {
  /** Default: process.env.PRETEXT_RECIPE_DIR. */
  recipeDir?: string;
  /** Default: process.resourcesPath (Electron only). */
  resourcesPath?: string;
  /** Where the checkout search starts (default: this module's folder). */
  from?: string;
}

function flat(dir: string): ProgramFile[] {
  return [...RECIPE_PROGRAM, ...RECIPE_PEER].map((name) => ({ name, path: join(dir, name) }));
}

function checkout(root: string): ProgramFile[] {
  return [
    ...RECIPE_PROGRAM.map((name) => ({ name, path: join(root, 'resources', 'recipe', name) })),
    ...RECIPE_PEER.map((name) => ({ name, path: join(root, 'src-main', 'bench', 'peer', name) })),
  ];
}

/** The six files the exported folder gets, from the first layout that has them all. */
export function recipeProgramFiles(o: ProgramSearch = {}): ProgramFile[] {
  const recipeDir = o.recipeDir ?? process.env['PRETEXT_RECIPE_DIR'];
  const resourcesPath = o.resourcesPath ?? (process as { resourcesPath?: string }).resourcesPath;
  const tried: string[] = [];
  const candidates: ProgramFile[][] = [];
  if (recipeDir) candidates.push(flat(resolve(recipeDir)));
  if (resourcesPath) candidates.push(flat(join(resolve(resourcesPath), 'recipe')));
  let dir = resolve(o.from ?? dirname(fileURLToPath(import.meta.url)));
  for (;;) {
    if (existsSync(join(dir, 'resources', 'recipe', 'train.py'))) {
      candidates.push(checkout(dir));
      break;
    }
    const up = dirname(dir);
    if (up === dir) break;
    dir = up;
  }
  for (const files of candidates) {
    const missing = files.find((f) => !existsSync(f.path));
    if (!missing) return files;
    tried.push(missing.path);
  }
  throw new PretextError(
    `export recipe: the program files are missing from this installation (looked for ${tried.length ? tried.join(', ') : 'resources/recipe/train.py above ' + (o.from ?? 'the engine')}; set PRETEXT_RECIPE_DIR to a folder holding ${[...RECIPE_PROGRAM, ...RECIPE_PEER].join(', ')})`,
  );
}
