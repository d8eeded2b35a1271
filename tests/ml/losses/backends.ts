/**
 * The tfjs backends present on this machine, for running one test body on each (DESIGN.md,
 * "Engine backends"). cpu always; wasm (stock, forward ops) when its binary loads; the native
 * `tensorflow` backend when the optional @tensorflow/tfjs-node is installed.
 */
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
// tfjs-core's Node bundle registers no gradient definitions; tfjs-layers' Node bundle registers
// them all (on the same tfjs-core instance) when imported. The gradient tests need them.
import '@tensorflow/tfjs-layers';
import { setWasmPaths } from '@tensorflow/tfjs-backend-wasm';
import { fileURLToPath } from 'node:url';

setWasmPaths(fileURLToPath(new URL('../../../node_modules/@tensorflow/tfjs-backend-wasm/dist/', import.meta.url)));

async function tryBackend(name: string): Promise<boolean> {
  try {
    return await tf.setBackend(name);
  } catch {
    return false;
  }
}

async function findBackends(): Promise<string[]> {
  const optional = '@tensorflow/tfjs-node';
  try {
    await import(/* @vite-ignore */ optional);
  } catch {
    // not installed: the native backend is simply absent
  }
  const present: string[] = [];
  for (const name of ['cpu', 'wasm', 'tensorflow']) {
    if (tf.findBackendFactory(name) && (await tryBackend(name))) present.push(name);
  }
  await tf.setBackend('cpu');
  return present;
}

/** Names of the backends that initialised, cpu first. */
export const BACKENDS: string[] = await findBackends();

/** Switches tfjs to `name` (one of BACKENDS) and waits until it is ready. */
export async function useBackend(name: string): Promise<void> {
  if (!(await tf.setBackend(name))) throw new Error(`backend ${name} failed to initialise`);
  await tf.ready();
}
