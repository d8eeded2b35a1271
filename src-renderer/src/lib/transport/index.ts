/**
 * The renderer's only door to the engine. At start-up it picks the transport: Electron's
 * preload (window.pretext) → IPC; otherwise HTTP + WebSocket to the page's origin, with the
 * token from the start URL or sessionStorage. The UI code is the same on both.
 */
import type { ApiClient } from '../../../../src-main/api/contract';
import type { MenuAction, PretextBridge } from '../../../../src-main/api/bridge';
import { httpClient, httpShell, takeToken, type HttpOptions } from './http';
import { ipcClient, ipcShell } from './ipc';
import type { Shell } from './shell';

export type { Shell } from './shell';
export type { MenuAction } from '../../../../src-main/api/bridge';
export { ApiRequestError } from './errors';

let picked: { client: ApiClient; shell: Shell; bridge: PretextBridge | null } | null = null;

function pick() {
  if (picked) return picked;
  const bridge = (globalThis as { pretext?: PretextBridge }).pretext;
  if (bridge && bridge.transport === 'ipc') {
    const client = ipcClient(bridge);
    picked = { client, shell: ipcShell(bridge, client), bridge };
  } else {
    const opts: HttpOptions = { origin: location.origin, token: takeToken(location, sessionStorage, history) };
    picked = { client: httpClient(opts), shell: httpShell(opts), bridge: null };
  }
  return picked;
}

export function getClient(): ApiClient {
  return pick().client;
}

export function getShell(): Shell {
  return pick().shell;
}

/** The app menu's actions (Electron only; a browser has no app menu). Returns the unsubscribe. */
export function onMenu(listener: (action: MenuAction) => void): () => void {
  const bridge = pick().bridge;
  return bridge ? bridge.onMenu(listener) : () => {};
}
