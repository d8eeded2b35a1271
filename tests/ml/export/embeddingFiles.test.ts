/** Embeddings as .npy (+ labels CSV) and CSV: format details, NumPy reading them, errors, cancel. */
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { CancelledError, PretextError } from '../../../src-main/core/errors';
import { csvField, formatFloat, labelsPathFor, writeEmbeddingsCsv, writeEmbeddingsNpy, type EmbeddingRows } from '../../../src-main/ml/export/embeddingFiles';
import { decodeNpy, encodeNpy, npyHeader } from '../../../src-main/ml/export/npy';
import { makeTempDir } from '../../helpers/tmp';
import { seeded } from '../backend/helpers';

const tmp = makeTempDir('pretext-emb-files-');
afterAll(() => tmp.cleanup());

function rows(split: 'train' | 'test', count: number, dim: number, seed: number, firstIndex: number): EmbeddingRows {
  return {
    split,
    dim,
    count,
    features: seeded(count * dim, seed),
    indices: Int32Array.from({ length: count }, (_, i) => firstIndex + i),
    labels: Int32Array.from({ length: count }, (_, i) => (i === 1 ? -1 : i % 3)),
  };
}

const classes = ['cat', 'dog, big', 'say "hi"'];

const numpy = spawnSync('python3', ['-c', 'import numpy'], { stdio: 'ignore' }).status === 0;

describe('npy', () => {
  it('writes a v1.0 header padded to 64 bytes, ending in a newline', () => {
    for (const shape of [[3, 5], [7], [123456, 512]]) {
      const h = npyHeader('<f4', shape);
      expect(h.length % 64).toBe(0);
      expect(h[h.length - 1]).toBe(0x0a);
      expect(h[8]! | (h[9]! << 8)).toBe(h.length - 10);
      const text = new TextDecoder().decode(h.subarray(10));
      expect(text).toContain(`'shape': (${shape.length === 1 ? `${shape[0]},` : shape.join(', ')})`);
      expect(text).toContain("'descr': '<f4', 'fortran_order': False");
    }
  });

  it('round-trips through its own reader', () => {
    const data = seeded(12, 1);
    const back = decodeNpy(encodeNpy(data, [3, 4]));
    expect(back.shape).toEqual([3, 4]);
    expect(Array.from(back.data)).toEqual(Array.from(data));
    expect(() => encodeNpy(data, [5, 4])).toThrow(/holds 20 values, the data 12/);
  });

  it.skipIf(!numpy)('is read by NumPy with the same values, labels beside it', async () => {
    const parts = [rows('train', 5, 3, 2, 0), rows('test', 4, 3, 3, 100)];
    const path = join(tmp.dir, 'emb.npy');
    const res = await writeEmbeddingsNpy(path, parts, classes);
    expect(res.files.map((f) => f.path)).toEqual([path, join(tmp.dir, 'emb.labels.csv')]);
    const out = join(tmp.dir, 'np.json');
    execFileSync('python3', ['-c', `import numpy as np, json, sys
a = np.load(sys.argv[1])
json.dump({"dtype": str(a.dtype), "shape": list(a.shape), "c": bool(a.flags["C_CONTIGUOUS"]), "values": [float(v) for v in a.ravel()]}, open(sys.argv[2], "w"))`, path, out]);
    const got = JSON.parse(readFileSync(out, 'utf8')) as { dtype: string; shape: number[]; c: boolean; values: number[] };
    expect(got.dtype).toBe('float32');
    expect(got.shape).toEqual([9, 3]);
    expect(got.c).toBe(true);
    expect(Float32Array.from(got.values)).toEqual(Float32Array.from([...parts[0]!.features, ...parts[1]!.features]));
    const labels = readFileSync(labelsPathFor(path), 'utf8').trim().split('\n');
    expect(labels[0]).toBe('index,split,label,class');
    expect(labels.length).toBe(10);
    expect(labels[1]).toBe('0,train,0,cat');
    expect(labels[2]).toBe('1,train,-1,');
    expect(labels[3]).toBe('2,train,2,"say ""hi"""');
    expect(labels[6]).toBe('100,test,0,cat');
    expect(readdirSync(tmp.dir).filter((f) => f.includes('.tmp-'))).toEqual([]);
  });
});

describe('csv', () => {
  it('escapes fields and writes float32-exact numbers', () => {
    expect(csvField('a,b')).toBe('"a,b"');
    expect(csvField('plain')).toBe('plain');
    for (const v of seeded(1000, 9).map((x) => x * 10 ** ((x * 40) | 0))) expect(Math.fround(Number(formatFloat(v)))).toBe(v);
    expect(formatFloat(0.5)).toBe('0.5');
    expect(formatFloat(0)).toBe('0');
    expect(formatFloat(-2)).toBe('-2');
    expect(formatFloat(1e-7)).toBe('1.00000000e-7');
    expect(formatFloat(Math.fround(1 / 3))).toBe('0.333333343');
  });

  it('writes the header, split, label and class of each row and the features', async () => {
    const parts = [rows('train', 3, 4, 5, 10), rows('test', 2, 4, 6, 20)];
    const path = join(tmp.dir, 'sub', 'emb.csv');
    const res = await writeEmbeddingsCsv(path, parts, classes);
    const text = readFileSync(path, 'utf8');
    expect(res.bytes).toBe(Buffer.byteLength(text));
    const lines = text.trim().split('\n');
    expect(lines[0]).toBe('index,split,label,class,f0,f1,f2,f3');
    expect(lines.length).toBe(6);
    expect(lines[2]!.startsWith('11,train,-1,,')).toBe(true);
    expect(lines[3]!.startsWith('12,train,2,"say ""hi""",')).toBe(true);
    expect(lines[4]!.startsWith('20,test,0,cat,')).toBe(true);
    const values = lines[5]!.split(',').slice(4).map(Number);
    expect(Float32Array.from(values)).toEqual(parts[1]!.features.subarray(4, 8));
  });

  it('names an unwritable path and the reason', async () => {
    const file = join(tmp.dir, 'a-file');
    writeFileSync(file, 'x');
    const err = await writeEmbeddingsCsv(join(file, 'emb.csv'), [rows('test', 2, 2, 1, 0)], classes).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(PretextError);
    expect((err as Error).message).toMatch(/cannot write embeddings to .*a-file\/emb\.csv: a parent of it is a file/);
  });

  it('stops on cancel and leaves no file behind', async () => {
    const ctl = new AbortController();
    ctl.abort();
    const path = join(tmp.dir, 'cancelled.csv');
    await expect(writeEmbeddingsCsv(path, [rows('test', 2000, 2, 1, 0)], classes, { signal: ctl.signal })).rejects.toBeInstanceOf(CancelledError);
    expect(existsSync(path)).toBe(false);
    expect(readdirSync(tmp.dir).filter((f) => f.startsWith('cancelled'))).toEqual([]);
  });
});
