import { inferLayout, stripCommonRoot, type LayoutKind } from './layout';
import { isIgnoredName, isImageName } from './names';
import type { EncodedEntry, ImportFailure } from '../types';

/** Why an archive member name is refused, or undefined when it is a safe relative path. */
export function unsafeArchivePath(name: string): string | undefined {
  if (name.includes('\\')) return 'backslash in path';
  if (name.startsWith('/') || /^[a-zA-Z]:/.test(name)) return 'absolute path';
  if (name.split('/').includes('..')) return "'..' in path";
  if (name.includes('\0')) return 'NUL byte in path';
  return undefined;
}

/** Splits a safe member name into its path segments; undefined for hidden files and non-images. */
export function imageSegments(name: string): string[] | undefined {
  const segments = name.split('/').filter((s) => s !== '' && s !== '.');
  return segments.length === 0 || segments.some(isIgnoredName) || !isImageName(name) ? undefined : segments;
}

/**
 * The image entries of an archive holding an image folder (ImageFolder or flat, optionally
 * wrapped in one folder), in path order; members that fit no layout go to `failures`.
 */
export function archiveEntries(
  members: { segments: string[]; read: () => Promise<Buffer> }[],
  failures: ImportFailure[],
): { entries: EncodedEntry[]; layout: LayoutKind } {
  const paths = stripCommonRoot(members.map((m) => m.segments));
  const key = (i: number) => paths[i]!.join('/');
  const order = members.map((_, i) => i).sort((a, b) => (key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0));
  const layout = inferLayout(order.map((i) => paths[i]!));
  const entries: EncodedEntry[] = [];
  order.forEach((i, j) => {
    const p = layout.placements[j]!;
    const file = members[i]!.segments.join('/');
    if ('reason' in p) failures.push({ file, reason: p.reason });
    else entries.push({ kind: 'encoded', file, className: p.className, split: p.split, read: members[i]!.read });
  });
  return { entries, layout: layout.kind };
}
