// Where the exported recipe's Python files are found: a checkout (the sources, or the
// electron-vite build in out/main), the packaged app's resources/recipe (electron-builder's
// extraResources, build/electron-builder.yml), or PRETEXT_RECIPE_DIR; a layout missing a file is
// skipped, and none is an error naming what it looked for.
import { copyFileSync, mkdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { RECIPE_PEER, RECIPE_PROGRAM, recipeProgramFiles } from '../../../src-main/tasks/recipe/programFiles';
import { makeTempDir } from '../../helpers/tmp';

const root = join(__dirname, '..', '..', '..');
const tmp = makeTempDir('pretext-recipe-files-');
afterAll(() => tmp.cleanup());
const names = [...RECIPE_PROGRAM, ...RECIPE_PEER];

/** What electron-builder's extraResources (build/electron-builder.yml) puts in <resources>/recipe. */
function packagedResources(): string {
  const resources = join(tmp.dir, 'Pretext', 'resources');
  mkdirSync(join(resources, 'recipe'), { recursive: true });
  const yml = readFileSync(join(root, 'build', 'electron-builder.yml'), 'utf8');
  // extraResources: `  - from: DIR`, `    to: recipe`, `    filter:` and its `      - FILE.py` lines.
  let from = '';
  const files: string[] = [];
  for (const line of yml.split('\n')) {
    const m = /^ {2}- from: (\S+)$/.exec(line) ?? /^ {6}- (\S+\.py)$/.exec(line);
    if (m && line.includes('from:')) from = m[1]!;
    else if (m) files.push(join(from, m[1]!));
  }
  expect(files.length).toBe(names.length);
  for (const f of files) copyFileSync(join(root, f), join(resources, 'recipe', f.split('/').pop()!));
  return resources;
}

describe('recipeProgramFiles', () => {
  it('finds the six files in this checkout, from the sources and from out/main', () => {
    for (const from of [join(root, 'src-main', 'tasks', 'recipe'), join(root, 'out', 'main')]) {
      const files = recipeProgramFiles({ from, recipeDir: '', resourcesPath: '' });
      expect(files.map((f) => f.name)).toEqual(names);
      expect(files.map((f) => f.path)).toEqual([
        join(root, 'resources', 'recipe', 'train.py'),
        join(root, 'resources', 'recipe', 'ddp_parts.py'),
        ...RECIPE_PEER.map((n) => join(root, 'src-main', 'bench', 'peer', n)),
      ]);
    }
  });

  it('prefers the packaged app’s resources/recipe (as extraResources lays it out), then PRETEXT_RECIPE_DIR over both', () => {
    const resources = packagedResources();
    const packaged = recipeProgramFiles({ resourcesPath: resources, recipeDir: '', from: tmp.dir });
    expect(packaged.map((f) => f.path)).toEqual(names.map((n) => join(resources, 'recipe', n)));
    const own = join(tmp.dir, 'own');
    mkdirSync(own);
    for (const f of packaged) copyFileSync(f.path, join(own, f.name));
    expect(recipeProgramFiles({ recipeDir: own, resourcesPath: resources, from: tmp.dir }).map((f) => f.path)).toEqual(names.map((n) => join(own, n)));
    // A layout missing a file is passed over.
    rmSync(join(own, 'ssl_parts.py'));
    expect(recipeProgramFiles({ recipeDir: own, resourcesPath: resources, from: tmp.dir })[0]!.path).toBe(join(resources, 'recipe', 'train.py'));
  });

  it('none found: an error naming the missing file', () => {
    const empty = join(tmp.dir, 'empty');
    mkdirSync(empty);
    expect(() => recipeProgramFiles({ recipeDir: empty, resourcesPath: '', from: empty })).toThrow(/program files are missing from this installation \(looked for .*empty\/train\.py.*PRETEXT_RECIPE_DIR/);
  });
});
