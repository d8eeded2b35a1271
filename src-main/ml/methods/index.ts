/** The registry of methods, keyed by the name `pretext train --method NAME` takes. */
import { barlowTwins } from './barlowTwins';
import { randomInit, supervised } from './baselines';
import { byol } from './byol';
import { moco } from './moco';
import { simclr } from './simclr';
import { simsiam } from './simsiam';
import type { MethodDefinition } from './types';
import { vicreg } from './vicreg';

export const methods: Record<string, MethodDefinition> = Object.fromEntries(
  [simclr, moco, byol, simsiam, barlowTwins, vicreg, supervised, randomInit].map((m) => [m.name, m]),
);

export function getMethod(name: string): MethodDefinition {
  const m = methods[name];
  if (!m) throw new Error(`unknown method '${name}' (known: ${Object.keys(methods).join(', ')})`);
  return m;
}

export type { MethodDefinition, SslModel, StepInput, Params, TrainDefaults, BackboneFactory } from './types';
