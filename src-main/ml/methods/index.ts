/** The registry of methods, keyed by the name `pretext train --method NAME` takes. */
import { alignuniform } from './alignuniform';
import { barlow } from './barlow';
import { randomInit, supervised } from './baselines';
import { byol } from './byol';
import { context } from './context';
import { counting } from './counting';
import { cpc } from './cpc';
import { data2vec } from './data2vec';
import { dcl } from './dcl';
import { deepclusterv2 } from './deepclusterv2';
import { dino } from './dino';
import { flatnce } from './flatnce';
import { hcl } from './hcl';
import { instdisc } from './instdisc';
import { jigsaw } from './jigsaw';
import { invaspread } from './invaspread';
import { mae } from './mae';
import { moco } from './moco';
import { mocov1 } from './mocov1';
import { mocov3 } from './mocov3';
import { nnclr } from './nnclr';
import { pirl } from './pirl';
import { rotation } from './rotation';
import { simclr } from './simclr';
import { simclrv2 } from './simclrv2';
import { simsiam } from './simsiam';
import { swav } from './swav';
import type { MethodDefinition } from './types';
import { PretextError } from '../../core/errors';
import { vicreg } from './vicreg';

/**
 * Null-prototype: `methods['constructor']` (or `toString`, `__proto__`) is undefined, so a name
 * typed by a user never reaches Object.prototype.
 */
export const methods: Readonly<Record<string, MethodDefinition>> = Object.freeze(
  Object.assign(
    Object.create(null) as Record<string, MethodDefinition>,
    Object.fromEntries([simclr, moco, byol, simsiam, barlow, vicreg, simclrv2, dcl, hcl, flatnce, alignuniform, invaspread, nnclr, instdisc, mocov3, mocov1, deepclusterv2, swav, dino, rotation, jigsaw, context, mae, data2vec, pirl, counting, cpc, supervised, randomInit].map((m) => [m.name, m])),
  ),
);

export const METHOD_NAMES: readonly string[] = Object.keys(methods);

export function isMethod(name: string): boolean {
  return Object.hasOwn(methods, name);
}

export function getMethod(name: string): MethodDefinition {
  const m = isMethod(name) ? methods[name] : undefined;
  if (!m) throw new PretextError(`unknown method '${name}' (known: ${METHOD_NAMES.join(', ')})`, { field: 'method' });
  return m;
}

export type { BuildData, MethodDefinition, SslModel, StepInput, LossOutput, ParamGroup, ParamGroupOptions, Params, TrainDefaults, BackboneFactory } from './types';
export { checkPreset, defaultPresetName, defaultViews, trainingViews } from './views';
