// build/electron-builder.yml: packaging itself needs electron-builder and the Electron binary,
// which are not here; what can be checked is the file: its keys are electron-builder's, the app
// files it packs are the ones the build writes, and every native addon that the production
// dependencies install is unpacked from app.asar.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const root = join(__dirname, '..', '..');

type Value = string | boolean | string[] | { [key: string]: Value } | { [key: string]: string | string[] }[];

/**
 * Reads the block-style subset of YAML the file is written in (maps, lists of plain scalars,
 * lists of maps whose values are scalars or lists of scalars, comments); any other line throws,
 * so the file cannot drift into something this test skips.
 */
function readBlockYaml(text: string): Record<string, Value> {
  const top: Record<string, Value> = {};
  let key: string | null = null;
  for (const [i, raw] of text.split('\n').entries()) {
    const line = raw.replace(/\s+#.*$/, '').trimEnd();
    if (/^\s*(#.*)?$/.test(line)) continue;
    const where = `build/electron-builder.yml:${i + 1}`;
    const scalar = (s: string): string | boolean => (s === 'true' ? true : s === 'false' ? false : s.replace(/^(['"])(.*)\1$/, '$2'));
    let m: RegExpMatchArray | null;
    if ((m = /^([A-Za-z][\w]*):(?: (.+))?$/.exec(line))) {
      key = m[1]!;
      if (key in top) throw new Error(`${where}: '${key}' twice`);
      top[key] = m[2] !== undefined ? scalar(m[2]) : {};
    } else if (key && (m = /^ {2}- ([A-Za-z][\w]*): (\S.*)$/.exec(line))) {
      const cur = top[key];
      const item = { [m[1]!]: String(scalar(m[2]!)) };
      if (Array.isArray(cur) && cur.every((c) => typeof c === 'object')) (cur as Record<string, string | string[]>[]).push(item);
      else if (typeof cur === 'object' && !Array.isArray(cur) && Object.keys(cur).length === 0) top[key] = [item];
      else throw new Error(`${where}: map item in a list of scalars`);
    } else if (key && (m = /^ {4}([A-Za-z][\w]*):(?: (\S.*))?$/.exec(line))) {
      const last = (top[key] as Record<string, string | string[]>[] | undefined)?.at?.(-1);
      if (!last || typeof last !== 'object') throw new Error(`${where}: map entry outside a list item`);
      last[m[1]!] = m[2] !== undefined ? String(scalar(m[2])) : [];
    } else if (key && (m = /^ {6}- (\S.*)$/.exec(line))) {
      const last = (top[key] as Record<string, string | string[]>[] | undefined)?.at?.(-1);
      const list = last ? Object.values(last).at(-1) : undefined;
      if (!Array.isArray(list)) throw new Error(`${where}: list item outside a list entry`);
      list.push(String(scalar(m[1]!)));
    } else if (key && (m = /^ {2}- (\S.*)$/.exec(line))) {
      const cur = top[key];
      if (Array.isArray(cur) && cur.every((c) => typeof c === 'string')) (cur as string[]).push(String(scalar(m[1]!)));
      else if (typeof cur === 'object' && !Array.isArray(cur) && Object.keys(cur).length === 0) top[key] = [String(scalar(m[1]!))];
      else throw new Error(`${where}: list item under a map`);
    } else if (key && (m = /^ {2}([A-Za-z][\w]*): (\S.*)$/.exec(line))) {
      const cur = top[key];
      if (typeof cur !== 'object' || Array.isArray(cur)) throw new Error(`${where}: map entry under a scalar or list`);
      cur[m[1]!] = scalar(m[2]!);
    } else throw new Error(`${where}: not understood: ${raw}`);
  }
  return top;
}

/** Top-level keys of electron-builder's configuration (https://www.electron.build/configuration) that this file may use. */
const DOCUMENTED = new Set(['appId', 'productName', 'copyright', 'directories', 'files', 'extraResources', 'extraFiles', 'asar', 'asarUnpack', 'npmRebuild', 'nodeGypRebuild', 'buildDependenciesFromSource', 'electronFuses', 'extraMetadata', 'artifactName', 'linux', 'mac', 'win', 'nsis', 'dmg', 'appImage', 'compression', 'publish']);

/** Production dependency closure (dependencies + optionalDependencies) over the hoisted node_modules. */
function productionPackages(): string[] {
  const seen = new Set<string>();
  const queue = (pkg: { dependencies?: Record<string, string>; optionalDependencies?: Record<string, string> }) => [...Object.keys(pkg.dependencies ?? {}), ...Object.keys(pkg.optionalDependencies ?? {})];
  const todo = queue(JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')));
  while (todo.length > 0) {
    const name = todo.pop()!;
    if (seen.has(name)) continue;
    const file = join(root, 'node_modules', name, 'package.json');
    if (!existsSync(file)) continue; // an optional dependency that did not install here
    seen.add(name);
    todo.push(...queue(JSON.parse(readFileSync(file, 'utf8'))));
  }
  return [...seen].sort();
}

function nativeFilesIn(dir: string): string[] {
  return readdirSync(dir, { recursive: true, encoding: 'utf8' }).filter((f) => !f.includes('node_modules') && /\.(node|so(\.\d+)*|dylib|dll)$/.test(f));
}

describe('electron-builder config', () => {
  const config = readBlockYaml(readFileSync(join(root, 'build', 'electron-builder.yml'), 'utf8'));

  it('uses documented keys; packs the build output and the sample, asar on, native deps rebuilt', () => {
    expect(Object.keys(config).filter((k) => !DOCUMENTED.has(k))).toEqual([]);
    expect(config['appId']).toMatch(/^[a-z][\w-]*(\.[a-z][\w-]*)+$/);
    expect(config['files']).toEqual(['out/**', 'resources/**']);
    expect(existsSync(join(root, 'resources', 'samples'))).toBe(true);
    expect(config['asar']).toBe(true);
    expect(config['npmRebuild']).toBe(true);
    expect(config['directories']).toEqual({ output: 'dist', buildResources: 'build' });
    // The recipe's Python files, flat in <resources>/recipe (tasks/recipe/programFiles.ts); each exists.
    const extra = config['extraResources'] as Record<string, string | string[]>[];
    expect(extra.map((e) => e['to'])).toEqual(['recipe', 'recipe']);
    const py = extra.flatMap((e) => (e['filter'] as string[]).map((f) => join(e['from'] as string, f)));
    expect(py.map((f) => f.split('/').pop()).sort()).toEqual(['ddp_parts.py', 'ssl_methods.py', 'ssl_parts.py', 'torch_engine.py', 'torch_quality.py', 'train.py']);
    for (const f of py) expect(existsSync(join(root, f)), f).toBe(true);
    // The packaged app starts from package.json's main, which electron-vite writes.
    expect(JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')).main).toBe('out/main/index.js');
  });

  it('unpacks every installed production package that holds a native addon or library', () => {
    const unpack = config['asarUnpack'] as string[];
    expect(Array.isArray(unpack)).toBe(true);
    const packages = unpack.map((g) => {
      const m = /^node_modules\/((?:@[^/]+\/)?[^/*]+)\/\*\*$/.exec(g);
      expect(m, `asarUnpack entry ${g} is node_modules/<package>/**`).not.toBeNull();
      return m![1]!;
    });
    const covered = (name: string) => packages.some((p) => name === p || name.startsWith(`${p}/`));
    const native = productionPackages().filter((name) => nativeFilesIn(join(root, 'node_modules', name)).length > 0);
    // What this machine installs: SQLite, sharp (and its libvips), Dawn.
    expect(native).toEqual(expect.arrayContaining(['better-sqlite3', 'webgpu']));
    expect(native.some((n) => n.startsWith('@img/'))).toBe(true);
    expect(native.filter((n) => !covered(n))).toEqual([]);
  });
});
