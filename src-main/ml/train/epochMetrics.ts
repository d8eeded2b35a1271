/**
 * The per-epoch monitor of a run: kNN top-1 on the test split (labelled datasets), the
 * collapse indicator (mean per-dimension std of the normalised features), uniformity of the
 * test features, and alignment of two augmented views of the same test images (Wang & Isola).
 */
import * as tf from '@tensorflow/tfjs-core';
import { renderViews, type ViewSpec } from '../augment';
import { embed, gatherPixels, type FeatureNet } from '../eval/embed';
import { featureStd, featureUniformity, knnAccuracy, sampleOf } from '../eval/monitor';
import { alignment } from '../losses';
import type { RunConfig } from './config';
import { isLabelled, type TrainData } from './data';

const ALIGN_IMAGES = 256;

/** `backbone`: the net the run is evaluated through (the method's evaluated encoder). */
export async function epochMetrics(backbone: FeatureNet, data: TrainData, cfg: RunConfig, views: ViewSpec[]): Promise<Record<string, number>> {
  const out: Record<string, number> = {};
  const evalIdx = data.testIdx.length > 0 ? data.testIdx : data.trainIdx;
  const test = await embed(backbone, data, evalIdx, data.stats);
  try {
    if (isLabelled(data)) {
      const train = await embed(backbone, data, data.trainIdx, data.stats);
      try {
        out['knn_top1'] = await knnAccuracy(
          train,
          Int32Array.from(data.trainIdx, (i) => data.labels[i]!),
          test,
          Int32Array.from(data.testIdx, (i) => data.labels[i]!),
          data.numClasses,
          { k: cfg.knnK, temperature: cfg.knnTemperature },
        );
      } finally {
        train.dispose();
      }
    }
    out['feature_std'] = await featureStd(test);
    out['uniformity'] = await featureUniformity(test);
  } finally {
    test.dispose();
  }
  // Alignment: two views of a seeded sample of test images through the backbone (inference mode).
  const idx = sampleOf(evalIdx, ALIGN_IMAGES);
  // Task views (tiles, rotations…) yield several pieces per image: only whole-image views pair up.
  const whole = views.filter((v) => !v.task);
  if (whole.length >= 2 && idx.length >= 2) {
    const pixels = gatherPixels(data, idx);
    const pair = renderViews({ pixels, shape: [idx.length, data.size, data.size, data.channels] }, whole.slice(0, 2), { seed: cfg.seed, epoch: 1_000_000 }, { normalize: data.stats });
    const a = tf.tidy(() => {
      const [z1, z2] = pair.map((v) => backbone.apply(v, { training: false }) as tf.Tensor2D);
      return alignment(z1!, z2!, 2);
    });
    out['alignment'] = (await a.data())[0]!;
    tf.dispose([a, ...pair]);
  }
  return out;
}
