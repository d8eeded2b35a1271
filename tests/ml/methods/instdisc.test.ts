import { describe, expect, it } from 'vitest';
import { trainingViews } from '../../../src-main/ml/methods';
import { resolveConfig } from '../../../src-main/ml/train/config';

// lemniscate.pytorch cifar.py, the recipe build/scripts/instdisc_peer.py compares against.
describe('instdisc defaults', () => {
  it("follow lemniscate's cifar.py: τ 0.1, SGD lr 0.03 at batch 128, wd 5e-4, no warm-up", () => {
    const cfg = resolveConfig('instdisc', { epochs: 2 }, (b) => b);
    expect(cfg.params).toMatchObject({ temperature: 0.1, negatives: 4096, bankMomentum: 0.5, projOut: 128 });
    expect(cfg).toMatchObject({ optimizer: 'sgd', batch: 128, momentum: 0.9, weightDecay: 5e-4, warmupEpochs: 0 });
    expect(cfg.scaledLr).toBeCloseTo(0.03, 12);
  });

  it('one view: crop 0.2–1, jitter 0.4 always, grayscale 0.2, no flip (commented out in cifar.py)', () => {
    const views = trainingViews('instdisc', 'method', 32);
    expect(views).toHaveLength(1);
    expect(views[0]).toMatchObject({ flipProb: 0, grayscaleProb: 0.2, blur: null, crop: { scale: [0.2, 1] } });
    expect(views[0]!.colorJitter).toMatchObject({ prob: 1, brightness: 0.4, contrast: 0.4, saturation: 0.4 });
  });
});
