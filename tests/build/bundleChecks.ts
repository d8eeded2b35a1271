/**
 * Static checks of the built bundles (what runs in Electron, where the tests cannot start it):
 * what the sandboxed preload requires, which packages the main-side entries import, and
 * whether the files they locate relative to themselves are there.
 */
import { builtinModules } from 'node:module';

/**
 * A sandboxed preload gets a polyfilled `require` that loads only these (Electron's "Process
 * Sandboxing" tutorial), and of `electron` only the renderer modules below.
 */
export const SANDBOXED_PRELOAD_MODULES = ['electron', 'events', 'timers', 'url'] as const;
export const SANDBOXED_ELECTRON_MODULES = ['contextBridge', 'crashReporter', 'ipcRenderer', 'nativeImage', 'webFrame', 'webUtils'] as const;

export interface RequireList {
  /** Literal require("x") arguments, in order of appearance. */
  modules: string[];
  /** require( calls whose argument is not a string literal (cannot be checked: refused). */
  dynamic: number;
}

export function requiresOf(code: string): RequireList {
  const all = code.match(/(?<![\w$.])require\s*\(/g)?.length ?? 0;
  const modules = [...code.matchAll(/(?<![\w$.])require\s*\(\s*(["'`])([^"'`]+)\1\s*\)/g)].map((m) => m[2]!);
  return { modules, dynamic: all - modules.length };
}

/** Members read off the `electron` module in a CommonJS bundle (`const electron = require("electron")`). */
export function electronMembersOf(code: string): string[] {
  const names = new Set<string>();
  for (const [, binding] of code.matchAll(/(?:const|let|var)\s+([\w$]+)\s*=\s*require\(\s*["']electron["']\s*\)/g)) {
    for (const m of code.matchAll(new RegExp(`(?<![\\w$.])${binding!.replace(/\$/g, '\\$')}\\.([\\w$]+)`, 'g'))) names.add(m[1]!);
  }
  for (const [, list] of code.matchAll(/(?:const|let|var)\s*\{([^}]*)\}\s*=\s*require\(\s*["']electron["']\s*\)/g)) {
    for (const part of list!.split(',')) {
      const name = part.split(':')[0]!.trim();
      if (name) names.add(name);
    }
  }
  return [...names].sort();
}

/** Module specifiers an ES module imports: static imports, re-exports and literal dynamic import(). */
export function esmImportsOf(code: string): string[] {
  const out = new Set<string>();
  for (const m of code.matchAll(/^\s*(?:import|export)\b[^'"`;]*?\bfrom\s*["']([^"']+)["']/gm)) out.add(m[1]!);
  for (const m of code.matchAll(/^\s*import\s*["']([^"']+)["']/gm)) out.add(m[1]!);
  for (const m of code.matchAll(/(?<![\w$.])import\(\s*["']([^"']+)["']\s*\)/g)) out.add(m[1]!);
  return [...out].sort();
}

export function isBuiltin(spec: string): boolean {
  return spec.startsWith('node:') || builtinModules.includes(spec);
}

/** 'a/b/c' → 'a'; '@s/a/b' → '@s/a'. */
export function packageOf(spec: string): string {
  const parts = spec.split('/');
  return spec.startsWith('@') ? parts.slice(0, 2).join('/') : parts[0]!;
}

/** Relative paths a module locates next to itself: new URL("./x", import.meta.url). */
export function selfRelativeUrlsOf(code: string): string[] {
  return [...code.matchAll(/new URL\(\s*["'](\.{1,2}\/[^"']+)["']\s*,\s*import\.meta\.url\s*\)/g)].map((m) => m[1]!);
}

/** Paths the Electron main process joins onto its own directory: join(__dirname, "a", "b"). */
export function dirnameJoinsOf(code: string): string[][] {
  return [...code.matchAll(/join\(\s*__dirname\s*((?:,\s*["'][^"']+["']\s*)+)\)/g)].map((m) => [...m[1]!.matchAll(/["']([^"']+)["']/g)].map((p) => p[1]!));
}
