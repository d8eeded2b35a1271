/**
 * The engine process: the service (workspace, datasets, training jobs, evaluation) behind the
 * API contract, in its own process so a crash or out-of-memory never takes the app down. It
 * runs under Electron's utilityProcess (process.parentPort) or child_process.fork
 * (process.send), and speaks EngineIn/EngineOut messages with its host.
 */
import { createService } from '../api/service';
import { toApiError } from '../api/errors';
import { defaultWorkspaceDir, Workspace } from '../store/workspace';
import type { DataRoots } from '../api/pathAccess';
import { ENGINE_ENV, type EngineIn, type EngineOut } from './protocol';

interface ParentPort {
  on(event: 'message', listener: (e: { data: EngineIn }) => void): void;
  postMessage(m: EngineOut): void;
}

const parentPort = (process as unknown as { parentPort?: ParentPort }).parentPort;

function post(m: EngineOut): void {
  if (parentPort) parentPort.postMessage(m);
  else process.send?.(m);
}

function onMessage(listener: (m: EngineIn) => void): void {
  if (parentPort) parentPort.on('message', (e) => listener(e.data));
  else process.on('message', (m: EngineIn) => listener(m));
}

/** ServiceOptions.dataRoots from the host: "any" or a list of folders; none when unset. */
function dataRoots(text: string | undefined): DataRoots {
  if (!text) return [];
  const v = JSON.parse(text) as unknown;
  if (v === 'any') return 'any';
  if (Array.isArray(v) && v.every((d) => typeof d === 'string')) return v as string[];
  throw new Error(`${ENGINE_ENV.dataRoots}: must be "any" or a JSON list of folders`);
}

async function main(): Promise<void> {
  const ws = Workspace.open(process.env[ENGINE_ENV.workspace] || defaultWorkspaceDir());
  const service = createService(ws, {
    backend: process.env[ENGINE_ENV.backend] || undefined,
    trainChildPath: process.env[ENGINE_ENV.trainChild] || undefined,
    workChildPath: process.env[ENGINE_ENV.workChild] || undefined,
    dataRoots: dataRoots(process.env[ENGINE_ENV.dataRoots]),
  });
  service.onEvents((batch) => post({ type: 'events', batch }));
  let stopping = false;
  const stop = async () => {
    if (stopping) return;
    stopping = true;
    await service.close();
    ws.close();
    process.exit(0);
  };
  onMessage((m) => {
    if (m.type === 'shutdown') void stop();
    else if (m.type === 'request') {
      service.handle(m.name, m.req as never).then(
        (res) => post({ type: 'response', id: m.id, ok: true, res }),
        (err: unknown) => post({ type: 'response', id: m.id, ok: false, error: toApiError(err) }),
      );
    }
  });
  // A forked engine whose host died has nobody to answer: stop.
  if (!parentPort) process.on('disconnect', () => void stop());
  // Ctrl-C reaches the whole process group in a terminal: the host decides when to stop.
  process.on('SIGINT', () => {});
  post({ type: 'ready', pid: process.pid, interrupted: service.interrupted });
}

main().catch((err: Error) => {
  post({ type: 'fatal', message: err.message });
  process.exit(1);
});
