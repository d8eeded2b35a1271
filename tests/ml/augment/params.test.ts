import { describe, expect, it } from 'vitest';
import { roundHalfEven, sampleCropBox, sampleJitter, sampleViewParams } from '../../../src-main/ml/augment/params';
import { resolvePreset } from '../../../src-main/ml/augment/presets';
import { Rng } from '../../../src-main/core/rng';

describe('roundHalfEven (Python round)', () => {
  it('sends halves to the even neighbour', () => {
    expect([0.5, 1.5, 2.5, 3.5, 2.4, 2.6, 7].map(roundHalfEven)).toEqual([0, 2, 2, 4, 2, 3, 7]);
  });
});

describe('sampleCropBox (RandomResizedCrop.get_params)', () => {
  const spec = { scale: [0.08, 1] as [number, number], ratio: [3 / 4, 4 / 3] as [number, number] };

  it('keeps boxes inside the image with area and aspect ratio within bounds', () => {
    const rng = new Rng(11);
    const H = 64;
    const W = 64;
    const scales: number[] = [];
    const logRatios: number[] = [];
    for (let i = 0; i < 4000; i++) {
      const b = sampleCropBox(rng, H, W, spec);
      expect(b.top).toBeGreaterThanOrEqual(0);
      expect(b.left).toBeGreaterThanOrEqual(0);
      expect(b.height).toBeGreaterThan(0);
      expect(b.width).toBeGreaterThan(0);
      expect(b.top + b.height).toBeLessThanOrEqual(H);
      expect(b.left + b.width).toBeLessThanOrEqual(W);
      scales.push((b.height * b.width) / (H * W));
      logRatios.push(Math.log(b.width / b.height));
    }
    // Rounding to whole pixels moves scale and ratio slightly past the drawn values.
    expect(Math.min(...scales)).toBeGreaterThan(0.06);
    expect(Math.max(...scales)).toBeLessThanOrEqual(1);
    expect(Math.min(...logRatios)).toBeGreaterThan(Math.log(3 / 4) - 0.1);
    expect(Math.max(...logRatios)).toBeLessThan(Math.log(4 / 3) + 0.1);
    // Log-uniform ratio: the log ratio is centred on 0.
    const meanLog = logRatios.reduce((a, b) => a + b, 0) / logRatios.length;
    expect(Math.abs(meanLog)).toBeLessThan(0.03);
    // Both small and large crops occur.
    expect(scales.filter((s) => s < 0.2).length).toBeGreaterThan(200);
    expect(scales.filter((s) => s > 0.8).length).toBeGreaterThan(200);
  });

  it('falls back to a centre crop with the ratio clamped when no try fits', () => {
    // A 10×100 strip: any box of ≥ 99.9% of the area is far wider than 4:3 allows.
    const wide = sampleCropBox(new Rng(1), 10, 100, { scale: [0.999, 1], ratio: [3 / 4, 4 / 3] });
    expect(wide).toEqual({ top: 0, left: 43, height: 10, width: 13 });
    const tall = sampleCropBox(new Rng(1), 100, 10, { scale: [0.999, 1], ratio: [3 / 4, 4 / 3] });
    expect(tall).toEqual({ top: 43, left: 0, height: 13, width: 10 });
    // Image ratio below the range: full width, height from the smallest ratio.
    const narrow = sampleCropBox(new Rng(1), 20, 20, { scale: [0.999, 1], ratio: [2, 3] });
    expect(narrow).toEqual({ top: 5, left: 0, height: 10, width: 20 });
  });

  it('is the same box for the same seed', () => {
    expect(sampleCropBox(new Rng(5), 32, 32, spec)).toEqual(sampleCropBox(new Rng(5), 32, 32, spec));
  });
});

describe('sampleJitter (ColorJitter.get_params)', () => {
  it('draws factors in [max(0, 1 − x), 1 + x] and hue in [−h, h], and turns 0 strengths off', () => {
    const rng = new Rng(9);
    const s = { prob: 1, brightness: 0.8, contrast: 1.5, saturation: 0, hue: 0.2 };
    for (let i = 0; i < 2000; i++) {
      const j = sampleJitter(rng, s);
      expect([...j.order].sort()).toEqual([0, 1, 2, 3]);
      const [b, c, sat, h] = j.factors;
      expect(b).toBeGreaterThanOrEqual(0.2);
      expect(b).toBeLessThan(1.8);
      expect(c).toBeGreaterThanOrEqual(0);
      expect(c).toBeLessThan(2.5);
      expect(sat).toBeNull();
      expect(h).toBeGreaterThanOrEqual(-0.2);
      expect(h).toBeLessThan(0.2);
    }
  });
});

describe('sampleViewParams', () => {
  it('applies each step at about its probability', () => {
    const [, v2] = resolvePreset('byol', 64);
    const rng = new Rng(21);
    const n = 5000;
    const counts = { flip: 0, jitter: 0, gray: 0, blur: 0, sol: 0 };
    for (let i = 0; i < n; i++) {
      const p = sampleViewParams(rng, v2!, 64, 64);
      if (p.flip) counts.flip++;
      if (p.jitter) counts.jitter++;
      if (p.grayscale) counts.gray++;
      if (p.blurSigma !== null) {
        counts.blur++;
        expect(p.blurSigma).toBeGreaterThanOrEqual(0.1);
        expect(p.blurSigma).toBeLessThan(2);
      }
      if (p.solarize) counts.sol++;
    }
    expect(counts.flip / n).toBeCloseTo(0.5, 1);
    expect(counts.jitter / n).toBeCloseTo(0.8, 1);
    expect(counts.gray / n).toBeCloseTo(0.2, 1);
    expect(counts.blur / n).toBeCloseTo(0.1, 1);
    expect(counts.sol / n).toBeCloseTo(0.2, 1);
  });
});
