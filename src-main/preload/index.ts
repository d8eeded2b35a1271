// The preload exposes a narrow, typed domain API to the renderer (window.pretext.datasets.list()
// and so on, built from the contract's request names); never ipcRenderer itself.
import { contextBridge, webUtils } from 'electron';
import type { PretextBridge, ShellBridge } from '../api/bridge';
import { REQUEST_NAMES } from '../api/names';
import { invokeRequest, invokeShell, onEvents, onMenu } from './ipc';

function domainApi(): Record<string, Record<string, (req: unknown) => Promise<unknown>>> {
  const api: Record<string, Record<string, (req: unknown) => Promise<unknown>>> = {};
  for (const name of REQUEST_NAMES) {
    const [domain, method] = name.split('.') as [string, string];
    (api[domain] ??= {})[method] = (req: unknown) => invokeRequest(name, req);
  }
  return api;
}

const shell: ShellBridge = {
  pickImportPaths: (directory) => invokeShell('pickImportPaths', directory) as Promise<string[] | null>,
  chooseSavePath: (defaultName) => invokeShell('chooseSavePath', defaultName) as Promise<string | null>,
  pathForFile: (file) => webUtils.getPathForFile(file),
  reveal: async (path) => void (await invokeShell('reveal', path)),
  open: async (path) => void (await invokeShell('open', path)),
};

const bridge = {
  ...domainApi(),
  transport: 'ipc' as const,
  onEvent: onEvents,
  onMenu,
  shell,
} as unknown as PretextBridge;

contextBridge.exposeInMainWorld('pretext', bridge);
