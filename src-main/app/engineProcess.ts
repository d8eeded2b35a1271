/** The engine in an Electron utilityProcess (a Node process Electron manages). */
import { utilityProcess } from 'electron';
import type { SpawnEngine } from '../engine/host';
import { engineFromUtility } from './utilityEngine';

/**
 * utilityProcess.fork may only be called once the app is ready (EngineHost.start runs in
 * app.whenReady). The engine forks its training and work children with child_process.fork:
 * inside Electron that runs the Electron binary with ELECTRON_RUN_AS_NODE=1 (Electron's fork
 * sets it, and forkChild sets it too), so the RunAsNode fuse must stay enabled when packaging.
 */
export function utilityEngine(entry: string): SpawnEngine {
  return (env) =>
    engineFromUtility(
      utilityProcess.fork(entry, [], {
        env: { ...process.env, ...env },
        serviceName: 'Pretext engine',
        // stdin cannot be anything but ignored; the engine's logs go to the app's stdout/stderr.
        stdio: 'inherit',
      }),
    );
}
