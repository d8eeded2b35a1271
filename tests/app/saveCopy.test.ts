// The desktop app's Save…: the page names a file the engine wrote in the workspace; the main
// process copies it where its own Save dialog says. Nothing outside the workspace is copied.
import { existsSync, mkdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { saveCopy } from '../../src-main/app/saveCopy';
import { makeTempDir } from '../helpers/tmp';

let tmp: ReturnType<typeof makeTempDir>;
let ws: string;

beforeEach(() => {
  tmp = makeTempDir();
  ws = join(tmp.dir, 'ws');
  mkdirSync(join(ws, 'runs', 'run-1', 'exports', 'encoder-e1-tfjs'), { recursive: true });
  writeFileSync(join(ws, 'runs', 'run-1', 'exports', 'e.csv'), 'a,b\n');
  writeFileSync(join(ws, 'runs', 'run-1', 'exports', 'encoder-e1-tfjs', 'model.json'), '{}');
});
afterEach(() => tmp.cleanup());

describe('saveCopy', () => {
  it('copies a workspace file or folder to the chosen path, suggesting the name', async () => {
    const suggested: string[] = [];
    const dest = join(tmp.dir, 'mine.csv');
    const choose = async (name: string) => (suggested.push(name), dest);
    expect(await saveCopy(ws, join(ws, 'runs', 'run-1', 'exports', 'e.csv'), choose, 'embeddings.csv')).toBe(dest);
    expect(suggested).toEqual(['embeddings.csv']);
    expect(readFileSync(dest, 'utf8')).toBe('a,b\n');
    const folder = join(tmp.dir, 'enc');
    expect(await saveCopy(ws, join(ws, 'runs', 'run-1', 'exports', 'encoder-e1-tfjs'), async () => folder, 'enc')).toBe(folder);
    expect(readFileSync(join(folder, 'model.json'), 'utf8')).toBe('{}');
  });

  it('copies nothing when the dialog is cancelled, and refuses paths outside the workspace', async () => {
    expect(await saveCopy(ws, join(ws, 'runs', 'run-1', 'exports', 'e.csv'), async () => null, 'e.csv')).toBeNull();
    writeFileSync(join(tmp.dir, 'secret.txt'), 'no');
    symlinkSync(join(tmp.dir, 'secret.txt'), join(ws, 'link.txt'));
    const dest = join(tmp.dir, 'out.txt');
    for (const p of [join(tmp.dir, 'secret.txt'), join(ws, '..', 'secret.txt'), join(ws, 'link.txt'), 42]) {
      await expect(saveCopy(ws, p, async () => dest, 'x'), String(p)).rejects.toThrow(/not a file the engine wrote in the workspace/);
    }
    expect(existsSync(dest)).toBe(false);
  });
});
