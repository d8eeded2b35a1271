import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { parseCsv } from '../../../src-main/data/formats/csv';
import { openSource } from '../../../src-main/data/formats/detect';
import { importSource } from '../../../src-main/tasks/import';
import { inferLayout, stripCommonRoot } from '../../../src-main/data/formats/layout';
import { stratifiedSplit } from '../../../src-main/data/import/split';
import { quiet, removeDir, solid, tempDir, tempWorkspace } from '../helpers';

describe('parseCsv', () => {
  it('handles quotes, doubled quotes, CRLF, a BOM and blank lines', () => {
    expect(parseCsv('\ufeffpath,label\r\n"a, b.png","say ""hi"""\r\n\r\nc.png,x\n')).toEqual([
      ['path', 'label'],
      ['a, b.png', 'say "hi"'],
      ['c.png', 'x'],
    ]);
    expect(() => parseCsv('"open')).toThrow(/unterminated/);
  });
});

describe('CSV manifest import', () => {
  let dir: string;
  let wsx: ReturnType<typeof tempWorkspace>;
  beforeEach(() => {
    dir = tempDir();
    wsx = tempWorkspace();
  });
  afterEach(() => {
    removeDir(dir);
    wsx.cleanup();
  });

  it('reads path,label,split relative to the CSV, reporting bad rows and missing files', async () => {
    mkdirSync(join(dir, 'img'));
    for (const n of ['a', 'b', 'c']) writeFileSync(join(dir, 'img', `${n}.png`), await solid('png', [50, 50, 50]));
    const csv = join(dir, 'm.csv');
    writeFileSync(csv, 'split,label,filename\ntrain,shoe,img/a.png\nval,boot,img/b.png\ntest,shoe,img/c.png\ntrain,shoe,img/gone.png\nholdout,x,img/a.png\n');
    const r = await importSource(wsx.ws, await openSource(csv), {}, quiet);
    expect(r.sourceKind).toBe('csv');
    expect(r.perClass).toEqual({ boot: { train: 0, test: 1 }, shoe: { train: 1, test: 1 } });
    expect(r.failed).toEqual([
      { file: 'img/a.png', reason: expect.stringMatching(/m\.csv:6: unknown split 'holdout'/) },
      { file: 'img/gone.png', reason: expect.stringMatching(/no such file/) },
    ]);
  });

  it('reads a header-less path,label manifest with a seeded split', async () => {
    const lines: string[] = [];
    for (let i = 0; i < 10; i++) {
      writeFileSync(join(dir, `${i}.png`), await solid('png', [i, i, i]));
      lines.push(`${i}.png,${i % 2 ? 'odd' : 'even'}`);
    }
    writeFileSync(join(dir, 'list.csv'), lines.join('\n'));
    const r = await importSource(wsx.ws, await openSource(join(dir, 'list.csv')), {}, quiet);
    expect(r.perClass).toEqual({ even: { train: 4, test: 1 }, odd: { train: 4, test: 1 } });
  });
});

describe('stratifiedSplit', () => {
  it('puts round(20%) of every class in test, deterministically per seed', () => {
    const labels = [...Array(50).fill(0), ...Array(11).fill(1), ...Array(3).fill(null)] as (number | null)[];
    const a = stratifiedSplit(labels);
    expect(a).toEqual(stratifiedSplit(labels));
    const count = (l: number | null) => a.filter((s, i) => labels[i] === l && s === 'test').length;
    expect([count(0), count(1), count(null)]).toEqual([10, 2, 1]);
    expect(stratifiedSplit(labels, 0.2, 1)).not.toEqual(a);
  });
});

describe('inferLayout', () => {
  const p = (...paths: string[]) => paths.map((x) => x.split('/'));
  it('finds classes, splits and flat folders, and reports strays', () => {
    expect(inferLayout(p('a/1.png', 'b/x/2.png')).placements).toEqual([
      { className: 'a', split: null },
      { className: 'b', split: null },
    ]);
    const s = inferLayout(p('train/a/1.png', 'Val/a/2.png', 'train/3.png', 'extra/b/4.png'));
    expect(s.kind).toBe('imagefolder-splits');
    expect(s.placements[0]).toEqual({ className: 'a', split: 'train' });
    expect(s.placements[1]).toEqual({ className: 'a', split: 'test' });
    expect(s.placements[2]).toHaveProperty('reason');
    expect(s.placements[3]).toHaveProperty('reason');
    expect(inferLayout(p('1.png', '2.png')).kind).toBe('flat');
    expect(inferLayout(p('train/1.png', 'test/2.png')).placements).toEqual([
      { className: null, split: 'train' },
      { className: null, split: 'test' },
    ]);
    expect(inferLayout(p('a/1.png', 'loose.png')).placements[1]).toEqual({ reason: expect.stringMatching(/not inside a class folder/) });
  });

  it('strips one wrapping folder but not a split folder', () => {
    expect(stripCommonRoot(p('top/a/1.png', 'top/b/2.png'))).toEqual(p('a/1.png', 'b/2.png'));
    expect(stripCommonRoot(p('train/a/1.png', 'train/b/2.png'))).toEqual(p('train/a/1.png', 'train/b/2.png'));
  });
});
