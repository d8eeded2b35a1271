import { describe, expect, it } from 'vitest';
import { estimateEta, formatBytes, formatCount, formatDuration, formatEta, formatPercent, formatValue, shortId } from '../../src-renderer/src/lib/logic/format';

describe('formatDuration', () => {
  it('shows tenths under 10 s, whole seconds under a minute, then m ss and h mm', () => {
    expect(formatDuration(0.84)).toBe('0.8s');
    expect(formatDuration(42.4)).toBe('42s');
    expect(formatDuration(185)).toBe('3m 05s');
    expect(formatDuration(3725)).toBe('1h 02m');
  });
  it('shows a dash for missing or invalid values', () => {
    expect(formatDuration(null)).toBe('—');
    expect(formatDuration(Number.NaN)).toBe('—');
    expect(formatDuration(-1)).toBe('—');
    expect(formatEta(undefined)).toBe('ETA —');
    expect(formatEta(61)).toBe('ETA 1m 01s');
  });
});

describe('estimateEta', () => {
  it('extrapolates the elapsed time over what is left', () => {
    expect(estimateEta(25, 100, 10)).toBeCloseTo(30);
    expect(estimateEta(100, 100, 10)).toBe(0);
  });
  it('is unknown before anything is done or without a total', () => {
    expect(estimateEta(0, 100, 10)).toBeNull();
    expect(estimateEta(5, 0, 10)).toBeNull();
  });
});

describe('formatBytes, formatPercent, formatValue', () => {
  it('formats sizes in powers of 1024', () => {
    expect(formatBytes(512)).toBe('512 B');
    expect(formatBytes(1536)).toBe('1.50 KB');
    expect(formatBytes(12.34 * 1024 * 1024)).toBe('12.3 MB');
  });
  it('formats accuracies as percentages with one decimal', () => {
    expect(formatPercent(0.8347)).toBe('83.5%');
    expect(formatPercent(null)).toBe('—');
  });
  it('keeps about four significant digits, exponents for tiny or huge values', () => {
    expect(formatValue(3.14159)).toBe('3.142');
    expect(formatValue(0.00012)).toBe('1.20e-4');
    expect(formatValue(0)).toBe('0');
  });
});

describe('shortId', () => {
  it('drops the kind prefix and keeps 8 characters', () => {
    expect(shortId('run-19a986c0ffee')).toBe('19a986c0');
    expect(shortId('abc')).toBe('abc');
  });
});

describe('formatCount', () => {
  it('writes parameter counts as a researcher reads them', () => {
    expect(formatCount(980)).toBe('980');
    expect(formatCount(702_345)).toBe('702 k');
    expect(formatCount(11_168_832)).toBe('11.2 M');
    expect(formatCount(2_793_000)).toBe('2.79 M');
    expect(formatCount(null)).toBe('—');
  });
});
