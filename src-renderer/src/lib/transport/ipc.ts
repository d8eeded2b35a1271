// The Electron transport: requests go through the preload's domain API (window.pretext).
import type { ApiClient, RequestName, RequestOf, ResponseOf, WrittenFile } from '../../../../src-main/api/contract';
import type { Envelope, PretextBridge } from '../../../../src-main/api/bridge';
import { toApiError } from './errors';
import { Listeners } from './listeners';
import type { Shell } from './shell';

export function ipcClient(bridge: PretextBridge): ApiClient {
  const listeners = new Listeners();
  bridge.onEvent((batch) => listeners.dispatch(batch));
  return {
    async request<N extends RequestName>(name: N, req: RequestOf<N>): Promise<ResponseOf<N>> {
      const dot = name.indexOf('.');
      const domain = (bridge as unknown as Record<string, Record<string, (r: unknown) => Promise<Envelope<unknown>>>>)[name.slice(0, dot)];
      const call = domain?.[name.slice(dot + 1)];
      if (!call) throw toApiError({ message: `the preload has no request ${name}`, code: 'internal' }, name);
      const env = await call(req);
      if (!env.ok) throw toApiError(env.error, `${name} failed`);
      return env.res as ResponseOf<N>;
    },
    on: (event, listener) => listeners.on(event, listener),
  };
}

export function ipcShell(bridge: PretextBridge, client: ApiClient): Shell {
  return {
    kind: 'ipc',
    pickImportPaths: ({ directory, purpose }) => bridge.shell.pickImportPaths(directory, purpose),
    async stageFiles(files, onProgress) {
      const paths = files.map((f) => bridge.shell.pathForFile(f));
      const missing = files.filter((_, i) => !paths[i]);
      if (missing.length > 0) throw toApiError({ message: `${missing[0]!.name}: not a file on this computer (no path)`, code: 'bad-request' }, 'stage');
      const total = files.reduce((s, f) => s + f.size, 0);
      const path = paths.length === 1 ? paths[0]! : (await client.request('datasets.stage', { paths })).path;
      onProgress?.(total, total);
      return path;
    },
    async deliver(file: WrittenFile, open?: boolean, name?: string) {
      const saved = await bridge.shell.saveAs(file.path, name ?? '');
      if (saved === null) return null;
      if (open) await bridge.shell.open(saved);
      else await bridge.shell.reveal(saved);
      return saved;
    },
  };
}
