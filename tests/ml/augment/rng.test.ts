import { describe, expect, it } from 'vitest';
import { deriveSeed, mix32, Rng } from '../../../src-main/core/rng';

describe('Rng (sfc32)', () => {
  it('gives the same stream for the same seed and a different one for another seed', () => {
    const a = new Rng(42);
    const b = new Rng(42);
    const c = new Rng(43);
    const sa = Array.from({ length: 16 }, () => a.nextUint32());
    expect(Array.from({ length: 16 }, () => b.nextUint32())).toEqual(sa);
    expect(Array.from({ length: 16 }, () => c.nextUint32())).not.toEqual(sa);
  });

  it('draws uniforms in range with about the right mean', () => {
    const r = new Rng(1);
    let sum = 0;
    for (let i = 0; i < 20000; i++) {
      const u = r.uniform(-2, 3);
      expect(u).toBeGreaterThanOrEqual(-2);
      expect(u).toBeLessThan(3);
      sum += u;
    }
    expect(sum / 20000).toBeCloseTo(0.5, 1);
  });

  it('draws integers over the whole inclusive range', () => {
    const r = new Rng(2);
    const seen = new Set<number>();
    for (let i = 0; i < 2000; i++) {
      const k = r.int(3, 7);
      expect(Number.isInteger(k) && k >= 3 && k <= 7).toBe(true);
      seen.add(k);
    }
    expect([...seen].sort()).toEqual([3, 4, 5, 6, 7]);
  });

  it('bernoulli respects p = 0 and p = 1 and is near p otherwise', () => {
    const r = new Rng(3);
    let hits = 0;
    for (let i = 0; i < 10000; i++) {
      expect(r.bernoulli(0)).toBe(false);
      expect(r.bernoulli(1)).toBe(true);
      if (r.bernoulli(0.2)) hits++;
    }
    expect(hits / 10000).toBeGreaterThan(0.18);
    expect(hits / 10000).toBeLessThan(0.22);
  });

  it('permutations are permutations and all 24 orders of 4 occur', () => {
    const r = new Rng(4);
    const orders = new Set<string>();
    for (let i = 0; i < 2000; i++) {
      const p = r.permutation(4);
      expect([...p].sort()).toEqual([0, 1, 2, 3]);
      orders.add(p.join(''));
    }
    expect(orders.size).toBe(24);
  });
});

describe('deriveSeed', () => {
  it('is a function of the whole ordered path', () => {
    expect(deriveSeed(1, 2, 3)).toBe(deriveSeed(1, 2, 3));
    const seeds = new Set([deriveSeed(1, 2, 3), deriveSeed(3, 2, 1), deriveSeed(1, 2), deriveSeed(1, 2, 3, 0), deriveSeed(2 ** 40, 2, 3)]);
    expect(seeds.size).toBe(5);
  });

  it('spreads neighbouring steps over distinct seeds', () => {
    const seen = new Set<number>();
    for (let step = 0; step < 5000; step++) seen.add(deriveSeed(7, 0, step, 0, 0));
    expect(seen.size).toBe(5000);
  });

  it('rejects parts that are not non-negative integers', () => {
    expect(() => deriveSeed(1.5)).toThrow(/non-negative integers/);
    expect(() => deriveSeed(-1)).toThrow(/non-negative integers/);
  });

  it('mix32 is a uint32 map', () => {
    for (const x of [0, 1, 0xffffffff, 123456789]) {
      const h = mix32(x);
      expect(Number.isInteger(h) && h >= 0 && h < 2 ** 32).toBe(true);
    }
  });
});
