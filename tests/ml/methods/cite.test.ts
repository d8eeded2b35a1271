import { describe, expect, it } from 'vitest';
import { methods } from '../../../src-main/ml/methods';
import { shortCite } from '../../../src-main/ml/methods/cite';

describe('shortCite', () => {
  it('reads "Authors Year" from a reference', () => {
    expect(shortCite('Chen et al., A Simple Framework for Contrastive Learning (ICML 2020)')).toBe('Chen et al. 2020');
    expect(shortCite('Bardes, Ponce & LeCun, VICReg (ICLR 2022)')).toBe('Bardes, Ponce & LeCun 2022');
    expect(shortCite('Chen et al., Simpler, Faster, Stronger: … with FlatNCE (2021)')).toBe('Chen et al. 2021');
    expect(shortCite('Wu et al., Instance Discrimination (CVPR 2018); code: github.com/zhirongw/lemniscate.pytorch')).toBe('Wu et al. 2018');
  });

  it('gives null for a reference without a year (the baselines)', () => {
    expect(shortCite('lower reference for every evaluation')).toBeNull();
  });

  it('cites every method of the registry but the two baselines', () => {
    const uncited = Object.values(methods).filter((m) => shortCite(m.reference) === null).map((m) => m.name);
    expect(uncited.sort()).toEqual(['random', 'supervised']);
  });
});
