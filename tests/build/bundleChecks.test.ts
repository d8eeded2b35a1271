import { describe, expect, it } from 'vitest';
import { dirnameJoinsOf, electronMembersOf, esmImportsOf, isBuiltin, packageOf, requiresOf, selfRelativeUrlsOf } from './bundleChecks';

describe('bundle checks', () => {
  it('lists a CommonJS bundle’s requires, and counts the ones it cannot read', () => {
    const code = 'const electron = require("electron");\nconst fs = require( \'node:fs\' );\nconst x = obj.require("not-a-call");\nconst m = require(name);';
    expect(requiresOf(code)).toEqual({ modules: ['electron', 'node:fs'], dynamic: 1 });
  });

  it('lists the members read off electron', () => {
    const code = 'const electron = require("electron");\nelectron.ipcRenderer.invoke(1);\nelectron.contextBridge.exposeInMainWorld("p", {});\nconst { shell, webUtils: w } = require("electron");';
    expect(electronMembersOf(code)).toEqual(['contextBridge', 'ipcRenderer', 'shell', 'webUtils']);
  });

  it('lists an ES module’s imports, static and dynamic', () => {
    const code = 'import { a } from "node:path";\nimport "better-sqlite3";\nimport x, { y } from \'@tensorflow/tfjs-core\';\nexport { z } from "./chunks/z.js";\nconst m = await import("umap-js");\nconst s = "import nothing";';
    expect(esmImportsOf(code)).toEqual(['./chunks/z.js', '@tensorflow/tfjs-core', 'better-sqlite3', 'node:path', 'umap-js']);
    expect(packageOf('@tensorflow/tfjs-core/dist/x.js')).toBe('@tensorflow/tfjs-core');
    expect(packageOf('sharp/lib')).toBe('sharp');
    expect(isBuiltin('node:fs')).toBe(true);
    expect(isBuiltin('module')).toBe(true);
    expect(isBuiltin('sharp')).toBe(false);
  });

  it('finds paths located relative to the module and to __dirname', () => {
    const code = 'const w = new URL("./decodeWorker.mjs", import.meta.url);\nconst p = join(__dirname, "../preload/index.cjs");\nconst r = join(__dirname, "..", "renderer");';
    expect(selfRelativeUrlsOf(code)).toEqual(['./decodeWorker.mjs']);
    expect(dirnameJoinsOf(code)).toEqual([['../preload/index.cjs'], ['..', 'renderer']]);
  });
});
