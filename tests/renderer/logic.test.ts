import { describe, expect, it } from 'vitest';
import { emaSmooth } from '../../src-renderer/src/lib/logic/ema';
import { configDiff, flattenConfig, showValue } from '../../src-renderer/src/lib/logic/configDiff';
import { compareValues, nextSort, sortRows } from '../../src-renderer/src/lib/logic/sort';
import { shortcutFor, type KeyLike } from '../../src-renderer/src/lib/logic/shortcuts';

describe('emaSmooth', () => {
  it('returns the values unchanged at weight 0', () => {
    expect(emaSmooth([3, 1, 4, 1, 5], 0)).toEqual([3, 1, 4, 1, 5]);
  });
  it('is debiased: a constant curve stays constant from the first point', () => {
    for (const v of emaSmooth([2, 2, 2, 2], 0.9)) expect(v).toBeCloseTo(2, 12);
  });
  it('follows the debiased recurrence', () => {
    const w = 0.5;
    const out = emaSmooth([1, 3], w);
    expect(out[0]).toBeCloseTo(1);
    // running = 0.5·(0.5·1) + 0.5·3 = 1.75, divided by 1 − 0.25
    expect(out[1]).toBeCloseTo(1.75 / 0.75);
  });
  it('lets non-finite points through without poisoning the rest', () => {
    const out = emaSmooth([1, Number.NaN, 1], 0.8);
    expect(out[1]).toBeNaN();
    expect(out[2]).toBeCloseTo(1);
  });
  it('rejects a weight outside [0, 1)', () => {
    expect(() => emaSmooth([1], 1)).toThrow(/\[0, 1\)/);
  });
});

describe('configDiff', () => {
  const a = { method: 'simclr', optimizer: 'lars', lr: 0.3, params: { temperature: 0.2, projOut: 128 }, epochs: 10 };
  const b = { method: 'byol', optimizer: 'lars', lr: 1.0, params: { projOut: 128, tau: 0.99 }, epochs: 10 };
  it('flattens nested objects to dotted keys', () => {
    expect(flattenConfig(a)).toMatchObject({ 'params.temperature': 0.2, 'params.projOut': 128 });
  });
  it('keeps only the keys that differ, a missing key counting as different', () => {
    const rows = configDiff([a, b]);
    expect(rows.map((r) => r.key)).toEqual(['lr', 'method', 'params.tau', 'params.temperature']);
    expect(rows.find((r) => r.key === 'params.tau')!.values).toEqual([undefined, 0.99]);
  });
  it('is empty for identical configs and compares arrays by value', () => {
    expect(configDiff([{ s: [0.2, 1] }, { s: [0.2, 1] }])).toEqual([]);
    expect(configDiff([{ s: [0.2, 1] }, { s: [0.08, 1] }])).toHaveLength(1);
  });
  it('shows values as cells', () => {
    expect(showValue(undefined)).toBe('—');
    expect(showValue('lars')).toBe('lars');
    expect(showValue([0.2, 1])).toBe('[0.2,1]');
  });
});

describe('sort', () => {
  it('sorts numbers numerically and strings naturally, missing values last both ways', () => {
    const rows = [{ v: 10 }, { v: null }, { v: 9 }, { v: 100 }];
    expect(sortRows(rows, (r) => r.v).map((r) => r.v)).toEqual([9, 10, 100, null]);
    expect(sortRows(rows, (r) => r.v, 'desc').map((r) => r.v)).toEqual([100, 10, 9, null]);
    expect(sortRows(['run10', 'run9', 'Run1'], (s) => s)).toEqual(['Run1', 'run9', 'run10']);
  });
  it('keeps ties in input order', () => {
    const rows = [{ k: 1, id: 'a' }, { k: 0, id: 'b' }, { k: 1, id: 'c' }];
    expect(sortRows(rows, (r) => r.k).map((r) => r.id)).toEqual(['b', 'a', 'c']);
    expect(compareValues(Number.NaN, 1)).toBe(1);
  });
  it('flips the direction on the same column, starts ascending on a new one', () => {
    expect(nextSort({ key: 'a', dir: 'asc' }, 'a')).toEqual({ key: 'a', dir: 'desc' });
    expect(nextSort({ key: 'a', dir: 'desc' }, 'b')).toEqual({ key: 'b', dir: 'asc' });
  });
});

describe('shortcutFor', () => {
  const key = (k: string, mods: Partial<KeyLike> = {}): KeyLike => ({ key: k, ctrlKey: false, metaKey: false, altKey: false, shiftKey: false, ...mods });
  it('maps Ctrl/Cmd+1..8 to the views in sidebar order', () => {
    expect(shortcutFor(key('1', { ctrlKey: true }))).toEqual({ kind: 'navigate', view: 'datasets' });
    expect(shortcutFor(key('7', { metaKey: true }))).toEqual({ kind: 'navigate', view: 'evaluate' });
    expect(shortcutFor(key('8', { ctrlKey: true }))).toEqual({ kind: 'navigate', view: 'retrieval' });
    expect(shortcutFor(key('9', { ctrlKey: true }))).toBeNull();
  });
  it('maps Ctrl+O to import and Ctrl+Enter to start training', () => {
    expect(shortcutFor(key('o', { ctrlKey: true }))).toEqual({ kind: 'import' });
    expect(shortcutFor(key('Enter', { ctrlKey: true }))).toEqual({ kind: 'start-training' });
  });
  it('ignores keys without Ctrl/Cmd, and Alt combinations', () => {
    expect(shortcutFor(key('1'))).toBeNull();
    expect(shortcutFor(key('1', { ctrlKey: true, altKey: true }))).toBeNull();
  });
});
