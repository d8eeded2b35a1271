/** The engine in an Electron utilityProcess (a Node process Electron manages). */
import { utilityProcess } from 'electron';
import type { EngineProcess, SpawnEngine } from '../engine/host';
import type { EngineIn, EngineOut } from '../engine/protocol';

export function utilityEngine(entry: string): SpawnEngine {
  return (env): EngineProcess => {
    const child = utilityProcess.fork(entry, [], {
      env: { ...process.env, ...env },
      serviceName: 'Pretext engine',
      stdio: 'inherit',
    });
    return {
      get pid() {
        return child.pid;
      },
      send: (m: EngineIn) => child.postMessage(m),
      onMessage: (l) => void child.on('message', (m: EngineOut) => l(m)),
      onExit: (l) => void child.once('exit', (code) => l(`exit code ${code}`)),
      kill: () => void child.kill(),
    };
  };
}
