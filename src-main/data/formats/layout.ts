import type { Split } from '../../core/types';

/** Folder names that mark a split, as torchvision datasets and Kaggle archives use them. */
const SPLIT_DIRS: Record<string, Split> = {
  train: 'train',
  training: 'train',
  test: 'test',
  testing: 'test',
  val: 'test',
  valid: 'test',
  validation: 'test',
};

export type LayoutKind = 'imagefolder' | 'imagefolder-splits' | 'flat' | 'flat-splits';

export type Placement = { className: string | null; split: Split | null } | { reason: string };

export interface Layout {
  kind: LayoutKind;
  /** One per input path, in order. */
  placements: Placement[];
}

function splitOf(segment: string | undefined): Split | undefined {
  return segment === undefined ? undefined : SPLIT_DIRS[segment.toLowerCase()];
}

/**
 * Reads the ImageFolder convention from relative paths (segments, file name last):
 * `train/` and `test/` (or `val/`) at the top become splits when both kinds are present;
 * below them (or at the top otherwise) one folder per class, images found at any depth inside
 * it (torchvision's ImageFolder walks class folders recursively). With no class folders at
 * all the images are unlabelled. Images beside class folders fit neither and are reported.
 */
export function inferLayout(paths: string[][]): Layout {
  const tops = new Set(paths.filter((p) => p.length > 1).map((p) => splitOf(p[0])));
  const hasSplits = tops.has('train') && tops.has('test');
  const rel = paths.map((p) => (hasSplits && p.length > 1 && splitOf(p[0]) ? p.slice(1) : p));
  const classed = rel.some((p) => p.length > 1);
  const placements: Placement[] = paths.map((p, i) => {
    const r = rel[i]!;
    const split = hasSplits ? (splitOf(p[0]) ?? null) : null;
    if (hasSplits && (p.length < 2 || split === null)) {
      return { reason: `outside the train/ and test/ folders of a split layout` };
    }
    if (!classed) return { className: null, split };
    if (r.length < 2) return { reason: 'not inside a class folder (ImageFolder layout: one folder per class)' };
    return { className: r[0]!, split };
  });
  const kind: LayoutKind = classed ? (hasSplits ? 'imagefolder-splits' : 'imagefolder') : hasSplits ? 'flat-splits' : 'flat';
  return { kind, placements };
}

/** Drops a single folder that wraps everything (archives made by zipping a folder). */
export function stripCommonRoot(paths: string[][]): string[][] {
  let out = paths;
  while (out.length > 0 && out.every((p) => p.length > 1 && p[0] === out[0]![0]) && !splitOf(out[0]![0])) {
    out = out.map((p) => p.slice(1));
  }
  return out;
}
