// The preload exposes a narrow, typed domain API to the renderer (window.pretext.datasets.list()
// and so on, built from the contract's request names); never ipcRenderer itself.
import { contextBridge, webUtils } from 'electron';
import type { PretextBridge, ShellBridge } from '../api/bridge';
import { REQUEST_NAMES } from '../api/names';
import { domainApi } from './domains';
import { invokeRequest, invokeShell, onEvents, onMenu } from './ipc';

const shell: ShellBridge = {
  pickImportPaths: (directory, purpose) => invokeShell('pickImportPaths', directory, purpose ?? 'dataset') as Promise<string[] | null>,
  saveAs: (path, defaultName) => invokeShell('saveAs', path, defaultName) as Promise<string | null>,
  pathForFile: (file) => webUtils.getPathForFile(file),
  reveal: async (path) => void (await invokeShell('reveal', path)),
  open: async (path) => void (await invokeShell('open', path)),
};

const bridge = {
  ...domainApi(REQUEST_NAMES, invokeRequest),
  transport: 'ipc' as const,
  onEvent: onEvents,
  onMenu,
  shell,
} as unknown as PretextBridge;

contextBridge.exposeInMainWorld('pretext', bridge);
