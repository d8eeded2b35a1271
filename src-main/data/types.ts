import type { Split } from '../core/types';

/** The kinds of source Pretext imports; recorded with the dataset. */
export type SourceKind = 'folder' | 'zip' | 'tar' | 'cifar' | 'idx' | 'csv' | 'sample';

/** A file of a source that could not be used, and why (in words for the user). */
export interface ImportFailure {
  file: string;
  reason: string;
}

/** One imported image: where it came from, its label index, its split and the hash of its bytes. */
export interface ItemRecord {
  sourcePath: string;
  label: number | null;
  split: Split;
  contentHash: string;
}

/** One image of a source, not yet decoded. */
interface EntryBase {
  /** Shown to the user and stored as the item's source path: relative to the source. */
  file: string;
  /** Class folder / label name; null when the source has no labels. */
  className: string | null;
  /** The split the source itself assigns (train/ and test/ or val/ folders, a CSV column). */
  split: Split | null;
}

/** An encoded image file (JPEG, PNG, ...) read on demand. */
export interface EncodedEntry extends EntryBase {
  kind: 'encoded';
  read(): Promise<Buffer>;
  /** Absolute path when the bytes are a plain file (worker threads read it themselves). */
  path?: string;
}

/** Pixels already decoded by the source (CIFAR binary, IDX): uint8 HWC. */
export interface RawEntry extends EntryBase {
  kind: 'raw';
  width: number;
  height: number;
  channels: 1 | 3;
  pixels(): Uint8Array;
}

export type Entry = EncodedEntry | RawEntry;

/** What a source reader produces: the images it found and the files it could not use. */
export interface Source {
  kind: SourceKind;
  /** Absolute path of what the user named. */
  path: string;
  entries: Entry[];
  failures: ImportFailure[];
  /** Class names in label order when the source defines them (CIFAR, IDX); else sorted names. */
  classNames?: string[];
  /** Notes recorded in the dataset's meta (layout found, split origin...). */
  meta: Record<string, unknown>;
  /** Releases open files (zip). */
  close?(): Promise<void>;
}

export interface ImportOptions {
  /** The dataset's name, as given (--name). */
  name?: string;
  /** Used when no name is given, made unique in the workspace; defaults to the source's file name. */
  defaultName?: string;
  /** What the dataset records as its source when the path is a temporary copy (an upload). */
  sourceLabel?: string;
  size: number;
  grayscale: boolean;
  maxPixels: number;
  /** Images in flight at once (per worker thread when there are workers). */
  concurrency: number;
  /** Worker threads decoding encoded images; 0 decodes in this thread; undefined picks by size. */
  workers?: number;
}

export const IMAGE_EXTENSIONS = new Set(['.jpg', '.jpeg', '.jpe', '.jfif', '.png', '.webp', '.gif', '.tif', '.tiff', '.avif', '.heic', '.heif']);
