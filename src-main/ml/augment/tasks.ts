/**
 * Task views: a view operation whose sampled parameters are the targets of a pretext task.
 * It runs last in a view's pipeline (after crop, colour, blur…) on the `size`-px view and turns
 * each image into `pieces` rows, grouped by image (rows i·pieces … i·pieces + pieces − 1 belong
 * to image i):
 *
 * - rotate (Gidaris et al. 2018, gidariss/FeatureLearningRotNet dataloader.py rotate_img): the
 *   four rotations 0°, 90°, 180°, 270° (counter-clockwise, np.rot90) of every image; targets
 *   0..3 per row.
 * - tiles (Noroozi & Favaro 2016, bbrattoli/JigsawPuzzlePytorch JigsawImageLoader.py): the view
 *   cut into grid×grid cells of floor(size/grid) px, a tile of cell − gap px taken from each cell
 *   at a random offset in [0, gap] (jitter) or centred; the tiles emitted in the order of one
 *   permutation of the set (permutations.ts): row t of image i is the tile of cell perm[t];
 *   the target is the permutation's index, one per image.
 * - pair (Doersch et al. 2015, relative patch location): a 3×3 layout of patch-px patches with
 *   `gap` px between them, centred in the view, each patch shifted by up to ±jitter px; the
 *   centre patch and one of its 8 neighbours (row-major, centre skipped: 0 top-left … 7
 *   bottom-right); the target is the neighbour's position, one per image. Colour dropping on
 *   3-channel images (the paper's §4 defence against chromatic aberration): each patch keeps
 *   one random channel, the other two are replaced by Gaussian noise around the kept channel's
 *   patch mean with 1/100 of its patch std (the paper: "noise with standard deviation ~1/100
 *   the standard deviation of the remaining channel"; centring it on that mean is our choice).
 *   Grayscale images have no chromatic aberration: nothing is dropped.
 * - grid (CPC v2, Hénaff et al. 2020, §3 and Appendix A; the v1 image setup of van den Oord et
 *   al. 2018): a grid×grid layout of overlapping patch-px patches at `stride` px, centred in the
 *   view; each patch shifted by up to ±jitter px (the paper's random crops within a patch) and
 *   turned to grayscale with probability grayscaleProb on 3-channel views (a stand-in for v2's
 *   per-patch colour dropping); rows grouped by image, patches row-major. The targets are each
 *   row's grid position r·grid + c (the contrastive loss pairs positions, nothing is classified).
 */
import type { Rng } from '../../core/rng';
import { permutationSet } from './permutations';

export type TaskSpec =
  | { kind: 'rotate' }
  | { kind: 'tiles'; grid: number; gap: number; jitter: boolean; permutations: number; permutationSeed: number }
  | { kind: 'pair'; patch: number; gap: number; jitter: number; colorDrop: boolean }
  | { kind: 'grid'; grid: number; patch: number; stride: number; jitter: number; grayscaleProb: number };

export type TaskParams =
  | { kind: 'rotate' }
  /** offsets: per cell (row-major), the tile's [dy, dx] inside it. */
  | { kind: 'tiles'; permutation: number; offsets: [number, number][] }
  /** offsets: the centre's and the neighbour's [dy, dx] shifts; keep: the channel each keeps; noiseSeed for the dropped ones. */
  | { kind: 'pair'; neighbour: number; offsets: [[number, number], [number, number]]; keep: [number, number]; noiseSeed: number }
  /** offsets: per patch (row-major), its [dy, dx] shift; gray: per patch, 1 when it is turned to grayscale. */
  | { kind: 'grid'; offsets: [number, number][]; gray: number[] };

export const ROTATIONS = [0, 90, 180, 270] as const;
export const NEIGHBOURS = ['top-left', 'top', 'top-right', 'left', 'right', 'bottom-left', 'bottom', 'bottom-right'] as const;
/** The neighbours' [row, column] in the 3×3 layout. */
export const NEIGHBOUR_CELLS: readonly [number, number][] = [
  [0, 0],
  [0, 1],
  [0, 2],
  [1, 0],
  [1, 2],
  [2, 0],
  [2, 1],
  [2, 2],
];

const int = (x: number) => Number.isInteger(x);

/** Throws an error naming the view and the field when the task cannot be applied to a view of `size` px. */
export function validateTask(view: string, t: TaskSpec, size: number): void {
  const bad = (what: string) => {
    throw new Error(`view '${view}': task ${t.kind}: ${what}`);
  };
  if (t.kind === 'rotate') return;
  if (t.kind === 'tiles') {
    if (!int(t.grid) || t.grid < 2) bad(`grid must be an integer ≥ 2, got ${t.grid}`);
    const cell = Math.floor(size / t.grid);
    if (!int(t.gap) || t.gap < 0 || t.gap >= cell) bad(`gap must be an integer in [0, ${cell - 1}] (cells of ${cell} px), got ${t.gap}`);
    if (t.grid * t.grid > 9) bad(`at most 9 tiles (a permutation set over more than 9! orders is not enumerable), got ${t.grid}×${t.grid}`);
    let fact = 1;
    for (let i = 2; i <= t.grid * t.grid; i++) fact *= i;
    if (!int(t.permutations) || t.permutations < 2 || t.permutations > fact) bad(`permutations must be an integer in [2, ${fact}], got ${t.permutations}`);
    if (!int(t.permutationSeed) || t.permutationSeed < 0) bad(`permutationSeed must be a non-negative integer, got ${t.permutationSeed}`);
    return;
  }
  if (t.kind === 'pair') {
    if (!int(t.patch) || t.patch < 1) bad(`patch must be a positive integer, got ${t.patch}`);
    if (!int(t.gap) || t.gap < 0) bad(`gap must be a non-negative integer, got ${t.gap}`);
    if (!int(t.jitter) || t.jitter < 0) bad(`jitter must be a non-negative integer, got ${t.jitter}`);
    const need = 3 * t.patch + 2 * t.gap + 2 * t.jitter;
    if (need > size) bad(`3·patch + 2·gap + 2·jitter = ${need} px does not fit the ${size}-px view`);
    return;
  }
  if (t.kind === 'grid') {
    if (!int(t.grid) || t.grid < 2) bad(`grid must be an integer ≥ 2, got ${t.grid}`);
    if (!int(t.patch) || t.patch < 1) bad(`patch must be a positive integer, got ${t.patch}`);
    if (!int(t.stride) || t.stride < 1) bad(`stride must be a positive integer, got ${t.stride}`);
    if (!int(t.jitter) || t.jitter < 0) bad(`jitter must be a non-negative integer, got ${t.jitter}`);
    if (!(t.grayscaleProb >= 0 && t.grayscaleProb <= 1)) bad(`grayscaleProb must be in [0, 1], got ${t.grayscaleProb}`);
    const need = gridExtent(t) + 2 * t.jitter;
    if (need > size) bad(`(grid − 1)·stride + patch + 2·jitter = ${need} px does not fit the ${size}-px view`);
    return;
  }
  throw new Error(`view '${view}': unknown task kind '${(t as { kind: string }).kind}' (known: rotate, tiles, pair, grid)`);
}

/** Side of a grid task's layout before jitter: (grid − 1)·stride + patch. */
export function gridExtent(t: Extract<TaskSpec, { kind: 'grid' }>): number {
  return (t.grid - 1) * t.stride + t.patch;
}

/** Rows each image becomes. */
export function taskPieces(t: TaskSpec): number {
  return t.kind === 'rotate' ? 4 : t.kind === 'tiles' || t.kind === 'grid' ? t.grid * t.grid : 2;
}

/** Side of each piece for a view of `size` px. */
export function pieceSize(t: TaskSpec, size: number): number {
  if (t.kind === 'rotate') return size;
  if (t.kind === 'tiles') return Math.floor(size / t.grid) - t.gap;
  return t.patch; // pair, grid
}

/** Number of classes of the task's targets. */
export function taskClasses(t: TaskSpec): number {
  return t.kind === 'rotate' ? 4 : t.kind === 'tiles' ? t.permutations : t.kind === 'grid' ? t.grid * t.grid : 8;
}

/** Draws one image's task parameters (after its view parameters, from the same stream). */
export function sampleTaskParams(rng: Rng, t: TaskSpec): TaskParams {
  if (t.kind === 'rotate') return { kind: 'rotate' };
  if (t.kind === 'tiles') {
    const permutation = rng.int(0, t.permutations - 1);
    const half = Math.floor(t.gap / 2);
    const offsets = Array.from({ length: t.grid * t.grid }, (): [number, number] =>
      t.jitter ? [rng.int(0, t.gap), rng.int(0, t.gap)] : [half, half],
    );
    return { kind: 'tiles', permutation, offsets };
  }
  if (t.kind === 'grid') {
    const offsets: [number, number][] = [];
    const gray: number[] = [];
    for (let k = 0; k < t.grid * t.grid; k++) {
      offsets.push([rng.int(-t.jitter, t.jitter), rng.int(-t.jitter, t.jitter)]);
      gray.push(rng.next() < t.grayscaleProb ? 1 : 0);
    }
    return { kind: 'grid', offsets, gray };
  }
  const neighbour = rng.int(0, 7);
  const shift = (): [number, number] => [rng.int(-t.jitter, t.jitter), rng.int(-t.jitter, t.jitter)];
  const offsets: [[number, number], [number, number]] = [shift(), shift()];
  const keep: [number, number] = [rng.int(0, 2), rng.int(0, 2)];
  const noiseSeed = rng.nextUint32();
  return { kind: 'pair', neighbour, offsets, keep, noiseSeed };
}

/** The task's permutation set (tiles only). */
export function tilePermutations(t: Extract<TaskSpec, { kind: 'tiles' }>): number[][] {
  return permutationSet(t.permutations, t.grid * t.grid, t.permutationSeed);
}

/** int32 targets of a batch: rotate one per row (n·4), grid one per row (its position, n·grid²), tiles and pair one per image (n). */
export function taskTargets(t: TaskSpec, params: readonly { task?: TaskParams }[]): Int32Array {
  const ps = params.map((p, i) => {
    if (!p.task || p.task.kind !== t.kind) throw new Error(`image ${i} has no ${t.kind} task parameters`);
    return p.task;
  });
  if (t.kind === 'rotate') return Int32Array.from({ length: ps.length * 4 }, (_, r) => r % 4);
  if (t.kind === 'grid') return Int32Array.from({ length: ps.length * t.grid * t.grid }, (_, r) => r % (t.grid * t.grid));
  return Int32Array.from(ps, (p) => (p.kind === 'tiles' ? p.permutation : p.kind === 'pair' ? p.neighbour : 0));
}

/** Captions of one image's pieces, for previews: what the net is asked to predict. */
export function taskCaptions(t: TaskSpec, p: TaskParams): { target: string; pieces: string[] } {
  if (p.kind === 'rotate') return { target: 'rotation of each piece', pieces: ROTATIONS.map((r) => `${r}°`) };
  if (p.kind === 'tiles' && t.kind === 'tiles') {
    const perm = tilePermutations(t)[p.permutation]!;
    return { target: `permutation #${p.permutation}`, pieces: perm.map((c) => `cell ${c}`) };
  }
  if (p.kind === 'pair') return { target: `neighbour ${NEIGHBOURS[p.neighbour]}`, pieces: ['centre', NEIGHBOURS[p.neighbour]!] };
  if (p.kind === 'grid' && t.kind === 'grid') {
    const pieces = p.offsets.map((_, k) => `${Math.floor(k / t.grid)},${k % t.grid}${p.gray[k] ? ' gray' : ''}`);
    return { target: `${t.grid}×${t.grid} patches: each row's context predicts the rows below`, pieces };
  }
  throw new Error(`task parameters of kind ${p.kind} do not match the ${t.kind} task`);
}
