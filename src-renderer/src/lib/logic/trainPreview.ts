/** The training values a method will run with (a runs.preview config), as the Train view lists them. */
import { formatValue } from './format';

const SHOWN: [key: string, label: string][] = [
  ['batch', 'batch'],
  ['epochs', 'epochs'],
  ['warmupEpochs', 'warmupEpochs'],
  ['optimizer', 'optimizer'],
  ['scaledLr', 'lr at this batch'],
  ['weightDecay', 'weightDecay'],
  ['preset', 'preset'],
];

/** [label, value] pairs of a resolved config: batch, epochs, warm-up, optimiser, the scaled lr, weight decay, preset. */
export function resolvedSummary(config: Record<string, unknown>): [string, string][] {
  const out: [string, string][] = [];
  for (const [key, label] of SHOWN) {
    const v = config[key];
    if (typeof v === 'number') out.push([label, formatValue(v)]);
    else if (typeof v === 'string') out.push([label, v]);
  }
  return out;
}
