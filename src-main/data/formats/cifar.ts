import { join } from 'node:path';
import type { Split } from '../../core/types';
import { diskAccess, type FileAccess } from './access';
import { readClassNames } from './classNames';
import type { RawEntry, Source } from '../types';

const CIFAR10_NAMES = ['airplane', 'automobile', 'bird', 'cat', 'deer', 'dog', 'frog', 'horse', 'ship', 'truck'];
const PIXELS = 32 * 32 * 3;

export const CIFAR10_FILES = /^(data_batch_\d+|test_batch)\.bin$/;
export const CIFAR100_FILES = /^(train|test)\.bin$/;
/** Folders the official archives unpack to. */
export const CIFAR_SUBDIRS = ['cifar-10-batches-bin', 'cifar-100-binary'];

export type CifarVariant = 10 | 100;

/** Finds the CIFAR binary batch files in a folder (or its official subfolder); [] when none. */
export async function findCifarFiles(
  dir: string,
  access: FileAccess = diskAccess,
): Promise<{ dir: string; files: string[]; variant: CifarVariant } | undefined> {
  for (const d of [dir, ...CIFAR_SUBDIRS.map((s) => join(dir, s))]) {
    const names = await access.list(d);
    const ten = names.filter((n) => CIFAR10_FILES.test(n)).sort();
    if (ten.length > 0) return { dir: d, files: ten, variant: 10 };
    const hundred = names.filter((n) => CIFAR100_FILES.test(n)).sort();
    if (hundred.length > 0) return { dir: d, files: hundred, variant: 100 };
  }
  return undefined;
}

/**
 * CIFAR-10/100 binary batches (the "binary version" of the official archives): each record
 * is a label byte (CIFAR-100: coarse then fine; we use fine) followed by 1024 red, 1024 green
 * and 1024 blue bytes, row-major. data_batch_* / train.bin are train, test_batch / test.bin test.
 */
export async function readCifar(dir: string, files: string[], variant: CifarVariant, access: FileAccess = diskAccess): Promise<Source> {
  const namesFile = join(dir, variant === 10 ? 'batches.meta.txt' : 'fine_label_names.txt');
  const batches = [];
  for (const name of files) batches.push({ name, path: join(dir, name), data: await access.read(join(dir, name)) });
  return cifarSource(dir, batches, variant, await readClassNames(namesFile, access));
}

function recordSize(variant: CifarVariant): number {
  return PIXELS + (variant === 10 ? 1 : 2);
}

function notWhole(file: string, size: number, variant: CifarVariant): Error {
  return new Error(
    `${file}: ${size} bytes is not a whole number of ${recordSize(variant)}-byte CIFAR-${variant} records (truncated or not a CIFAR-${variant} batch)`,
  );
}

/** Builds the source from batches already in memory (files, or members of an archive). */
export function cifarSource(
  path: string,
  batches: { name: string; path: string; data: Buffer }[],
  variant: CifarVariant,
  names: string[] | undefined,
): Source {
  const record = recordSize(variant);
  const classNames = names ?? (variant === 10 ? CIFAR10_NAMES : Array.from({ length: 100 }, (_, i) => String(i)));
  const entries: RawEntry[] = [];
  const splits = new Set<Split>();
  for (const { name, path: file, data: buf } of batches) {
    if (buf.length === 0 || buf.length % record !== 0) throw notWhole(file, buf.length, variant);
    const split: Split = /^(data_batch|train)/.test(name) ? 'train' : 'test';
    splits.add(split);
    const n = buf.length / record;
    for (let i = 0; i < n; i++) {
      const off = i * record;
      const label = buf[off + record - PIXELS - 1]!;
      if (label >= classNames.length) throw new Error(`${file}: record ${i} has label ${label}, but there are ${classNames.length} classes`);
      entries.push({
        kind: 'raw',
        file: `${name}#${i}`,
        className: classNames[label]!,
        split,
        width: 32,
        height: 32,
        channels: 3,
        pixels: () => {
          const planes = buf.subarray(off + record - PIXELS, off + record);
          const hwc = new Uint8Array(PIXELS);
          for (let p = 0; p < 1024; p++) {
            hwc[3 * p] = planes[p]!;
            hwc[3 * p + 1] = planes[1024 + p]!;
            hwc[3 * p + 2] = planes[2048 + p]!;
          }
          return hwc;
        },
      });
    }
  }
  // With only one split's files present, let the importer make a seeded split instead.
  if (splits.size < 2) for (const e of entries) e.split = null;
  return { kind: 'cifar', path, entries, failures: [], classNames, meta: { variant, files: batches.map((b) => b.name) } };
}
