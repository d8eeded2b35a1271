import { describe, expect, it } from 'vitest';
import { PRESET_NAMES, presetForMethod, presetSummary, resolvePreset } from '../../../src-main/ml/augment';

// Issue 11, defect 9: a name typed by a user never reaches Object.prototype.
describe('the preset registry', () => {
  it('answers unknown preset for prototype names', () => {
    for (const name of ['constructor', 'toString', '__proto__', 'hasOwnProperty']) {
      expect(PRESET_NAMES).not.toContain(name);
      expect(() => resolvePreset(name, 32)).toThrow(`unknown augmentation preset '${name}'`);
      expect(presetSummary(name)).toBeUndefined();
      expect(() => presetForMethod(name, 32)).toThrow(`no augmentation preset for method '${name}'`);
    }
  });
});
