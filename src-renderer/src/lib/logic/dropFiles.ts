/**
 * Files of a drop, folders walked: DataTransferItem.webkitGetAsEntry gives a folder's tree,
 * and each file keeps its path relative to the drop (as webkitRelativePath, which the upload
 * uses to keep class folders). Used when the browser cannot hand over paths.
 */
interface EntryLike {
  isFile: boolean;
  isDirectory: boolean;
  name: string;
  fullPath: string;
}
interface FileEntryLike extends EntryLike {
  file(ok: (f: File) => void, fail: (e: unknown) => void): void;
}
interface DirEntryLike extends EntryLike {
  createReader(): { readEntries(ok: (entries: EntryLike[]) => void, fail: (e: unknown) => void): void };
}

/** Sets the path a file is uploaded under (webkitRelativePath is read-only on File.prototype). */
export function withRelativePath(file: File, path: string): File {
  Object.defineProperty(file, 'webkitRelativePath', { value: path, configurable: true });
  return file;
}

async function readAll(dir: DirEntryLike): Promise<EntryLike[]> {
  const reader = dir.createReader();
  const all: EntryLike[] = [];
  // readEntries answers in chunks (100 in Chromium) until it answers an empty list.
  for (;;) {
    const chunk = await new Promise<EntryLike[]>((ok, fail) => reader.readEntries(ok, fail));
    if (chunk.length === 0) return all;
    all.push(...chunk);
  }
}

export async function filesOfEntry(entry: EntryLike): Promise<File[]> {
  if (entry.isFile) {
    const f = await new Promise<File>((ok, fail) => (entry as FileEntryLike).file(ok, fail));
    return [withRelativePath(f, entry.fullPath.replace(/^\/+/, ''))];
  }
  if (!entry.isDirectory) return [];
  const out: File[] = [];
  for (const child of await readAll(entry as DirEntryLike)) out.push(...(await filesOfEntry(child)));
  return out;
}

/** Every file of a drop; folders are walked. Falls back to dataTransfer.files without entries. */
export async function filesOfDrop(dt: DataTransfer): Promise<File[]> {
  const entries: EntryLike[] = [];
  for (const item of Array.from(dt.items ?? [])) {
    const e = item.kind === 'file' ? (item.webkitGetAsEntry?.() as EntryLike | null) : null;
    if (e) entries.push(e);
  }
  if (entries.length === 0) return Array.from(dt.files ?? []);
  const out: File[] = [];
  for (const e of entries) out.push(...(await filesOfEntry(e)));
  return out;
}
