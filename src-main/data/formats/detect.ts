import { open, readdir, stat } from 'node:fs/promises';
import { basename, dirname, extname, resolve } from 'node:path';
import { PretextError } from '../../core/errors';
import { findCifarFiles, readCifar } from './cifar';
import { readCsv } from './csv';
import { readFolder } from './folder';
import { IDX_IMAGES, readIdxSource } from './idx';
import { isImageName } from './names';
import type { Source } from '../types';
import { readTar } from './tar';
import { readZip, type ZipLimits } from './zip';

async function head(path: string, n: number): Promise<Buffer> {
  const fh = await open(path, 'r');
  try {
    const buf = Buffer.alloc(n);
    const { bytesRead } = await fh.read(buf, 0, n, 0);
    return buf.subarray(0, bytesRead);
  } finally {
    await fh.close();
  }
}

/** Wraps a reader's plain error as a user error naming the input. */
function named(path: string, err: unknown): PretextError {
  if (err instanceof PretextError) return err;
  const msg = (err as Error).message ?? String(err);
  return new PretextError(msg.includes(path) ? msg : `${path}: ${msg}`);
}

/**
 * Opens what the user named as the right kind of source: a folder (ImageFolder or flat;
 * CIFAR batches or IDX files inside are recognised), a .zip, a .tar/.tar.gz/.tgz (image
 * folder, or the official CIFAR binary archives), a CSV manifest, a CIFAR .bin batch or an
 * IDX file (gzip or not).
 */
export async function openSource(input: string, zipLimits?: ZipLimits): Promise<Source> {
  const path = resolve(input);
  let st;
  try {
    st = await stat(path);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw new PretextError(
      code === 'ENOENT' ? `${input}: no such file or folder` : `${input}: cannot open (${(err as Error).message})`,
    );
  }
  try {
    if (st.isDirectory()) {
      const cifar = await findCifarFiles(path);
      if (cifar) return await readCifar(cifar.dir, cifar.files, cifar.variant);
      if ((await readdir(path)).some((f) => IDX_IMAGES.test(f))) return await readIdxSource(path, true);
      return await readFolder(path);
    }
    if (!st.isFile()) throw new PretextError(`${input}: not a file or folder`);
    const ext = extname(path).toLowerCase();
    const magic = await head(path, 4);
    if (ext === '.zip' || (magic[0] === 0x50 && magic[1] === 0x4b && magic[2] === 3 && magic[3] === 4)) return await readZip(path, zipLimits);
    if (ext === '.csv') return await readCsv(path);
    if (/\.(tar|tgz|tar\.gz)$/i.test(path)) return await readTar(path);
    if (IDX_IMAGES.test(basename(path))) return await readIdxSource(path, false);
    if (ext === '.bin') {
      const name = basename(path);
      return await readCifar(dirname(path), [name], /^(train|test)\.bin$/.test(name) ? 100 : 10);
    }
    if (isImageName(path)) {
      throw new PretextError(`${input}: is a single image; import the folder that holds your images`);
    }
    throw new PretextError(
      `${input}: not a dataset Pretext can read (expected a folder, .zip, .tar(.gz), .csv, CIFAR .bin or MNIST IDX file)`,
    );
  } catch (err) {
    throw named(input, err);
  }
}
