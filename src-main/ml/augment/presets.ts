/**
 * Named view pipelines with the papers' settings. A preset is resolved for a dataset's image
 * size: global views have the image's size, local (multi-crop) views 96/224 of it.
 *
 * '-cifar' presets copy solo-learn's scripts/pretrain/cifar/ augmentation blocks (crop size =
 * the image size, bicubic crops, blur as PIL's GaussianBlur → kernel 'full'). The others follow
 * each paper's official ImageNet code: bicubic crops except MoCo v2, SimSiam and SwAV, which
 * keep torchvision's default bilinear.
 */
import type { BlurSpec, ColorJitterSpec, ViewSpec } from './spec';

/**
 * What differs between the papers' views. Common to all: ratio 3/4–4/3, flip 0.5, jitter
 * p 0.8, grayscale 0.2, blur σ 0.1–2, solarize threshold 0.5.
 */
export interface ViewRecipe {
  scale: [number, number];
  jitter: [brightness: number, contrast: number, saturation: number, hue: number];
  blur: number;
  kernel: BlurSpec['kernel'];
  solarize: number;
  /** Of the crop; default 'bicubic'. */
  interpolation?: 'bilinear' | 'bicubic';
}

const RATIO: [number, number] = [3 / 4, 4 / 3];

function view(name: string, size: number, r: ViewRecipe): ViewSpec {
  const [brightness, contrast, saturation, hue] = r.jitter;
  const colorJitter: ColorJitterSpec = { prob: 0.8, brightness, contrast, saturation, hue };
  return {
    name,
    size,
    crop: { scale: r.scale, ratio: RATIO, interpolation: r.interpolation ?? 'bicubic' },
    flipProb: 0.5,
    colorJitter,
    grayscaleProb: 0.2,
    blur: r.blur > 0 ? { prob: r.blur, sigma: [0.1, 2], kernel: r.kernel } : null,
    solarize: r.solarize > 0 ? { prob: r.solarize, threshold: 0.5 } : null,
  };
}

/** Side of a multi-crop local view: 96 px at 224 px (SwAV, DINO), scaled to the image. */
export function localSize(imageSize: number): number {
  return Math.max(1, Math.round((imageSize * 96) / 224));
}

/**
 * Side of a multi-crop local view on small images (the '-cifar' multi-crop presets): half the
 * image, 16 px at 32 px (the 32/16 split of lightly's CIFAR SwAV/DINO transforms), at least 8.
 */
export function smallLocalSize(imageSize: number): number {
  return Math.max(8, Math.round(imageSize / 2));
}

/** 2 global views (one recipe each) + n local views of side `localSide` (default localSize(imageSize)). */
export function multiCrop(imageSize: number, globals: [ViewRecipe, ViewRecipe], local: ViewRecipe, n: number, localSide = localSize(imageSize)): ViewSpec[] {
  return [
    view('global-1', imageSize, globals[0]),
    view('global-2', imageSize, globals[1]),
    ...Array.from({ length: n }, (_, i) => view(`local-${i + 1}`, localSide, local)),
  ];
}

function pair(size: number, a: ViewRecipe, b: ViewRecipe = a): ViewSpec[] {
  return [view('view-1', size, a), view('view-2', size, b)];
}

const STRONG: ViewRecipe['jitter'] = [0.8, 0.8, 0.8, 0.2];
const BYOL_JITTER: ViewRecipe['jitter'] = [0.4, 0.4, 0.2, 0.1];
const MOCO_JITTER: ViewRecipe['jitter'] = [0.4, 0.4, 0.4, 0.1];
const FULL_SCALE: [number, number] = [0.08, 1];

const base = (
  jitter: ViewRecipe['jitter'],
  blur: number,
  kernel: BlurSpec['kernel'],
  solarize = 0,
  scale = FULL_SCALE,
  interpolation: ViewRecipe['interpolation'] = 'bicubic',
): ViewRecipe => ({ scale, jitter, blur, kernel, solarize, interpolation });

const SWAV_CIFAR_GLOBAL = base(STRONG, 0.5, 'full', 0, [0.14, 1]);

const presets: Record<string, { summary: string; build: (size: number) => ViewSpec[] }> = {
  simclr: {
    summary: 'SimCLR (google-research/simclr): jitter 0.8/0.8/0.8/0.2, blur p 0.5',
    build: (s) => pair(s, base(STRONG, 0.5, 'tenth')),
  },
  byol: {
    summary: 'BYOL (deepmind byol): asymmetric blur 1.0/0.1, solarize 0/0.2',
    build: (s) => pair(s, base(BYOL_JITTER, 1, 'tenth'), base(BYOL_JITTER, 0.1, 'tenth', 0.2)),
  },
  barlow: {
    summary: 'Barlow Twins (facebookresearch/barlowtwins): as BYOL, PIL blur',
    build: (s) => pair(s, base(BYOL_JITTER, 1, 'full'), base(BYOL_JITTER, 0.1, 'full', 0.2)),
  },
  vicreg: {
    summary: 'VICReg (facebookresearch/vicreg): as BYOL, PIL blur',
    build: (s) => pair(s, base(BYOL_JITTER, 1, 'full'), base(BYOL_JITTER, 0.1, 'full', 0.2)),
  },
  mocov2plus: {
    summary: 'MoCo v2 (facebookresearch/moco): crop scale 0.2–1, jitter 0.4/0.4/0.4/0.1, blur p 0.5',
    build: (s) => pair(s, base(MOCO_JITTER, 0.5, 'full', 0, [0.2, 1], 'bilinear')),
  },
  simsiam: {
    summary: 'SimSiam (facebookresearch/simsiam): MoCo v2 augmentations',
    build: (s) => pair(s, base(MOCO_JITTER, 0.5, 'full', 0, [0.2, 1], 'bilinear')),
  },
  swav: {
    summary: 'SwAV (facebookresearch/swav): 2 global (scale 0.14–1) + 6 local (0.05–0.14) crops',
    build: (s) => {
      const g = base(STRONG, 0.5, 'full', 0, [0.14, 1], 'bilinear');
      return multiCrop(s, [g, g], base(STRONG, 0.5, 'full', 0, [0.05, 0.14], 'bilinear'), 6);
    },
  },
  dino: {
    summary: 'DINO (facebookresearch/dino): 2 global (0.4–1, blur 1.0 / 0.1 + solarize 0.2) + 8 local (0.05–0.4)',
    build: (s) =>
      multiCrop(
        s,
        [base(BYOL_JITTER, 1, 'full', 0, [0.4, 1]), base(BYOL_JITTER, 0.1, 'full', 0.2, [0.4, 1])],
        base(BYOL_JITTER, 0.5, 'full', 0, [0.05, 0.4]),
        8,
      ),
  },
  'swav-cifar': {
    summary: 'solo-learn cifar/augmentations/symmetric.yaml (swav) as 2 global (scale 0.14–1) + 6 local (0.05–0.14, half size) crops',
    build: (s) => multiCrop(s, [SWAV_CIFAR_GLOBAL, SWAV_CIFAR_GLOBAL], base(STRONG, 0.5, 'full', 0, [0.05, 0.14]), 6, smallLocalSize(s)),
  },
  'dino-cifar': {
    summary: 'solo-learn cifar/augmentations/asymmetric.yaml views (no blur, solarize 0/0.2) as 2 global (0.4–1) + 8 local (0.05–0.4, half size) crops',
    build: (s) =>
      multiCrop(s, [base(BYOL_JITTER, 0, 'full', 0, [0.4, 1]), base(BYOL_JITTER, 0, 'full', 0.2, [0.4, 1])], base(BYOL_JITTER, 0, 'full', 0, [0.05, 0.4]), 8, smallLocalSize(s)),
  },
  'simclr-cifar': {
    summary: 'solo-learn cifar/augmentations/symmetric.yaml (simclr)',
    build: (s) => pair(s, base(STRONG, 0.5, 'full')),
  },
  'byol-cifar': {
    summary: 'solo-learn cifar/augmentations/asymmetric.yaml (byol, barlow): no blur, solarize 0/0.2',
    build: (s) => pair(s, base(BYOL_JITTER, 0, 'full'), base(BYOL_JITTER, 0, 'full', 0.2)),
  },
  'barlow-cifar': {
    summary: 'solo-learn cifar/augmentations/asymmetric.yaml (byol, barlow): no blur, solarize 0/0.2',
    build: (s) => pair(s, base(BYOL_JITTER, 0, 'full'), base(BYOL_JITTER, 0, 'full', 0.2)),
  },
  'vicreg-cifar': {
    summary: 'solo-learn cifar/vicreg.yaml: crop scale 0.2–1, no blur, solarize 0.1',
    build: (s) => pair(s, base(BYOL_JITTER, 0, 'full', 0.1, [0.2, 1])),
  },
  'mocov2plus-cifar': {
    summary: 'solo-learn cifar/augmentations/symmetric_weak.yaml (mocov2plus, simsiam)',
    build: (s) => pair(s, base(MOCO_JITTER, 0.5, 'full')),
  },
  'simsiam-cifar': {
    summary: 'solo-learn cifar/augmentations/symmetric_weak.yaml (mocov2plus, simsiam)',
    build: (s) => pair(s, base(MOCO_JITTER, 0.5, 'full')),
  },
};

/** The preset of that name; never one of Object.prototype's members ('constructor', 'toString'...). */
function presetOf(name: string): (typeof presets)[string] | undefined {
  return Object.hasOwn(presets, name) ? presets[name] : undefined;
}

export const PRESET_NAMES: readonly string[] = Object.keys(presets);

export function presetSummary(name: string): string | undefined {
  return presetOf(name)?.summary;
}

/** The views of preset `name` for square images of side `imageSize`. */
export function resolvePreset(name: string, imageSize: number): ViewSpec[] {
  const p = presetOf(name);
  if (!p) throw new Error(`unknown augmentation preset '${name}' (known: ${PRESET_NAMES.join(', ')})`);
  if (!Number.isInteger(imageSize) || imageSize < 1) throw new Error(`preset '${name}': image size must be a positive integer, got ${imageSize}`);
  return p.build(imageSize);
}

/** A method's default preset: its '-cifar' variant for images of 64 px or less, when there is one. */
export function presetForMethod(method: string, imageSize: number): string {
  const small = `${method}-cifar`;
  if (imageSize <= 64 && presetOf(small)) return small;
  if (presetOf(method)) return method;
  throw new Error(`no augmentation preset for method '${method}' (known: ${PRESET_NAMES.join(', ')})`);
}
