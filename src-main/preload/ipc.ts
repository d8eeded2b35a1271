// The only file of the preload that touches ipcRenderer (an ESLint rule enforces it). It
// never hands ipcRenderer or an IpcRendererEvent to the renderer: callbacks get plain data.
import { ipcRenderer } from 'electron';
import type { RequestName } from '../api/contract';
import type { Envelope, EventBatch, MenuAction } from '../api/bridge';
import { IPC } from '../api/channels';

export function invokeRequest(name: RequestName, req: unknown): Promise<Envelope<unknown>> {
  return ipcRenderer.invoke(IPC.request, name, req) as Promise<Envelope<unknown>>;
}

export function invokeShell(action: string, ...args: (string | boolean)[]): Promise<unknown> {
  return ipcRenderer.invoke(IPC.shell, action, ...args);
}

function listen<T>(channel: string, listener: (value: T) => void): () => void {
  const wrapped = (_event: unknown, value: T) => listener(value);
  ipcRenderer.on(channel, wrapped);
  return () => void ipcRenderer.removeListener(channel, wrapped);
}

export const onEvents = (listener: (batch: EventBatch) => void) => listen(IPC.events, listener);
export const onMenu = (listener: (action: MenuAction) => void) => listen(IPC.menu, listener);
