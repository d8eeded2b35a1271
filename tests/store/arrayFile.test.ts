import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { readArrayFile, writeArrayFile } from '../../src-main/store/arrayFile';
import { makeTempDir } from '../helpers/tmp';

type Header = { n: number };
const layout = (h: Header) => [
  { type: 'f32' as const, length: 2 * h.n },
  { type: 'i32' as const, length: h.n },
];

let tmp: ReturnType<typeof makeTempDir>;
beforeEach(() => {
  tmp = makeTempDir('arrayfile');
});
afterEach(() => tmp.cleanup());

describe('array files', () => {
  it('round-trips a header and its arrays, leaving no temp file', () => {
    const file = join(tmp.dir, 'a', 'x.bin');
    const f = new Float32Array([1.5, -2, 3.25, 1e-8, 0, 7]);
    const i = new Int32Array([4, -1, 9]);
    writeArrayFile(file, 'PRTXTEST', { n: 3 }, [f, i]);
    const { header, arrays } = readArrayFile<Header>(file, 'PRTXTEST', 'test file', layout);
    expect(header).toEqual({ n: 3 });
    expect(arrays[0]).toEqual(f);
    expect(arrays[1]).toEqual(i);
    expect(readdirSync(join(tmp.dir, 'a'))).toEqual(['x.bin']);
  });

  it('names the file and the reason for a foreign, truncated or corrupt file', () => {
    const file = join(tmp.dir, 'x.bin');
    writeArrayFile(file, 'PRTXTEST', { n: 2 }, [new Float32Array(4), new Int32Array(2)]);
    expect(() => readArrayFile<Header>(file, 'PRTXOTHR', 'other file', layout)).toThrow(`${file}: not a Pretext other file`);
    const whole = readFileSync(file);
    writeFileSync(file, whole.subarray(0, whole.length - 4));
    expect(() => readArrayFile<Header>(file, 'PRTXTEST', 'test file', layout)).toThrow(/x\.bin: expected \d+ bytes, found \d+/);
    const broken = Buffer.from(whole);
    broken.write('{', 12, 'utf8');
    broken.write('#', 13, 'utf8');
    writeFileSync(file, broken);
    expect(() => readArrayFile<Header>(file, 'PRTXTEST', 'test file', layout)).toThrow(`${file}: corrupt header`);
  });
});
