import yauzl from 'yauzl';
import { MAX_FILE_BYTES } from './files';
import { archiveEntries, imageSegments, unsafeArchivePath } from './archive';
import { decodeName, escapeName } from './names';
import type { ImportFailure, Source } from '../types';

export interface ZipLimits {
  /** Largest uncompressed entry read. */
  maxEntryBytes: number;
  /** Total bytes inflated from one archive. */
  maxTotalBytes: number;
  /** Uncompressed/compressed ratio refused for entries over `ratioMinBytes` (zlib tops out near 1032:1). */
  maxRatio: number;
  ratioMinBytes: number;
}

export const DEFAULT_ZIP_LIMITS: ZipLimits = {
  maxEntryBytes: MAX_FILE_BYTES,
  maxTotalBytes: 16 * 1024 ** 3,
  maxRatio: 200,
  ratioMinBytes: 1024 * 1024,
};

/** Why an entry name is refused (zip-slip and friends), or undefined when it is safe. */
export const unsafeZipPath = unsafeArchivePath;

function listEntries(zip: yauzl.ZipFile): Promise<yauzl.Entry[]> {
  return new Promise((resolve, reject) => {
    const out: yauzl.Entry[] = [];
    zip.on('entry', (e: yauzl.Entry) => {
      out.push(e);
      zip.readEntry();
    });
    zip.on('end', () => resolve(out));
    zip.on('error', reject);
    zip.readEntry();
  });
}

/** Inflates one entry into memory, counting the bytes actually produced (headers can lie). */
async function inflate(zip: yauzl.ZipFile, entry: yauzl.Entry, cap: number, budget: { left: number } | undefined): Promise<Buffer> {
  budget ??= { left: Number.POSITIVE_INFINITY };
  const stream = await zip.openReadStreamPromise(entry);
  const chunks: Buffer[] = [];
  let total = 0;
  try {
    for await (const chunk of stream as AsyncIterable<Buffer>) {
      total += chunk.length;
      budget.left -= chunk.length;
      if (total > cap) throw new Error(`inflates past ${cap} bytes (more than its header declares or the limit): zip bomb?`);
      if (budget.left < 0) throw new Error('the archive inflated past its total size limit: zip bomb?');
      chunks.push(chunk);
    }
  } catch (err) {
    stream.destroy();
    throw err;
  }
  return Buffer.concat(chunks, total);
}

/**
 * A .zip holding an image folder (ImageFolder or flat, optionally wrapped in one folder).
 * Entries are inflated into memory on demand, never written to disk. Unsafe names
 * (zip-slip), names that are not UTF-8, encrypted entries and entries whose sizes or
 * ratios are absurd are reported per entry.
 */
export async function readZip(path: string, limits: ZipLimits = DEFAULT_ZIP_LIMITS): Promise<Source> {
  let zip: yauzl.ZipFile;
  try {
    zip = await yauzl.openPromise(path, { lazyEntries: true, autoClose: false, decodeStrings: false, validateEntrySizes: true });
  } catch (err) {
    throw new Error(`not a readable zip archive (${(err as Error).message})`);
  }
  const failures: ImportFailure[] = [];
  let raw: yauzl.Entry[];
  try {
    raw = await listEntries(zip);
  } catch (err) {
    zip.close();
    throw new Error(`corrupt zip archive (${(err as Error).message})`);
  }
  const budget = { left: limits.maxTotalBytes };
  const members: { segments: string[]; read: () => Promise<Buffer> }[] = [];
  for (const e of raw) {
    const name = decodeName(e.fileNameRaw);
    if (name === undefined) {
      failures.push({ file: escapeName(e.fileNameRaw), reason: 'entry name is not valid UTF-8' });
      continue;
    }
    if (name.endsWith('/')) continue;
    const unsafe = unsafeArchivePath(name);
    if (unsafe) {
      failures.push({ file: name, reason: `unsafe entry path (${unsafe}; zip-slip), skipped` });
      continue;
    }
    const segments = imageSegments(name);
    if (!segments) continue;
    if (e.isEncrypted()) {
      failures.push({ file: name, reason: 'entry is encrypted' });
      continue;
    }
    if (e.uncompressedSize > limits.maxEntryBytes) {
      failures.push({ file: name, reason: `declares ${e.uncompressedSize} bytes uncompressed, over the ${limits.maxEntryBytes}-byte limit (zip bomb?)` });
      continue;
    }
    const ratio = e.uncompressedSize / Math.max(1, e.compressedSize);
    if (e.uncompressedSize >= limits.ratioMinBytes && ratio > limits.maxRatio) {
      failures.push({ file: name, reason: `compression ratio ${ratio.toFixed(0)}:1 is absurd for an image (zip bomb?)` });
      continue;
    }
    // An entry read twice (hashing, then decoding) counts once against the archive's budget.
    let counted = false;
    members.push({
      segments,
      read: () => {
        const b = counted ? undefined : budget;
        counted = true;
        return inflate(zip, e, Math.min(e.uncompressedSize, limits.maxEntryBytes), b);
      },
    });
  }
  const { entries, layout } = archiveEntries(members, failures);
  return {
    kind: 'zip',
    path,
    entries,
    failures,
    meta: { layout },
    close: async () => zip.close(),
  };
}
