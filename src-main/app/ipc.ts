// The only file of the main process that touches ipcMain (an ESLint rule enforces it). Every
// handler checks that the sender is the app's own page before doing anything.
import { existsSync } from 'node:fs';
import { basename, extname, resolve, sep } from 'node:path';
import { ipcMain, shell, type BrowserWindow, type IpcMainInvokeEvent } from 'electron';
import type { Envelope, EventBatch, MenuAction } from '../api/bridge';
import { IPC } from '../api/channels';
import { toApiError } from '../api/errors';
import { isRequestName } from '../api/names';
import type { EngineHost } from '../engine/host';
import { chooseSavePath, pickImportPaths } from './dialogs';
import { saveCopy } from './saveCopy';

export interface IpcDeps {
  engine: EngineHost;
  window(): BrowserWindow | null;
  /** Whether a frame URL is the app's page (windowOptions.isAppUrl). */
  isAppUrl(url: string): boolean;
  /** Reports inside it (or saved where the user chose) may be opened. */
  workspaceDir: string;
}

function fromApp(deps: IpcDeps, e: IpcMainInvokeEvent): boolean {
  // senderFrame is null once the frame navigated away or was destroyed.
  const url = e.senderFrame?.url ?? '';
  const win = deps.window();
  return !!win && !win.isDestroyed() && win.webContents.id === e.sender.id && deps.isAppUrl(url);
}

export function registerIpc(deps: IpcDeps): () => void {
  // Paths the user picked in a Save dialog: an export or report written there may be opened.
  const chosen = new Set<string>();
  const mayOpen = (path: string) => {
    const p = resolve(path);
    return chosen.has(p) || p.startsWith(resolve(deps.workspaceDir) + sep);
  };
  ipcMain.handle(IPC.request, async (e, name: unknown, req: unknown): Promise<Envelope<unknown>> => {
    if (!fromApp(deps, e)) return { ok: false, error: { message: 'refused: IPC from a page that is not the app', code: 'bad-request' } };
    if (typeof name !== 'string' || !isRequestName(name)) return { ok: false, error: { message: `unknown request '${String(name)}'`, code: 'not-found' } };
    try {
      const res = await deps.engine.request(name, req as never);
      return { ok: true, res: name === 'app.info' ? { ...(res as object), transport: 'ipc' } : res };
    } catch (err) {
      return { ok: false, error: toApiError(err) };
    }
  });
  ipcMain.handle(IPC.shell, async (e, action: unknown, arg: unknown, arg2: unknown): Promise<unknown> => {
    if (!fromApp(deps, e)) throw new Error('refused: IPC from a page that is not the app');
    const win = deps.window();
    switch (action) {
      case 'pickImportPaths': {
        const paths = await pickImportPaths(win, Boolean(arg), arg2 === 'results' ? 'results' : 'dataset');
        return paths.length > 0 ? paths : null;
      }
      case 'saveAs': {
        // A file the engine wrote in the workspace, copied where the user says in the Save dialog.
        // The page may suggest a file name (only the name: the folder is the user's choice).
        const name = basename(typeof arg2 === 'string' && arg2 ? arg2 : typeof arg === 'string' ? arg : 'export');
        const path = await saveCopy(deps.workspaceDir, arg, (defaultName) => chooseSavePath(win, defaultName), name);
        if (path) chosen.add(resolve(path));
        return path;
      }
      case 'reveal':
        if (typeof arg === 'string' && existsSync(arg)) shell.showItemInFolder(arg);
        return null;
      case 'open':
        // Only an HTML report of ours opens with the OS default application; anything else is revealed.
        if (typeof arg !== 'string' || !existsSync(arg)) return null;
        if (extname(arg).toLowerCase() === '.html' && mayOpen(arg)) await shell.openPath(arg);
        else shell.showItemInFolder(arg);
        return null;
      default:
        throw new Error(`unknown shell action '${String(action)}'`);
    }
  });
  const off = deps.engine.onEvents((batch: EventBatch) => sendTo(deps.window(), IPC.events, batch));
  return () => {
    off();
    ipcMain.removeHandler(IPC.request);
    ipcMain.removeHandler(IPC.shell);
  };
}

export function sendMenuAction(win: BrowserWindow | null, action: MenuAction): void {
  sendTo(win, IPC.menu, action);
}

/** A window that is closing may be destroyed before its 'closed' event: its webContents would throw. */
function sendTo(win: BrowserWindow | null, channel: string, value: unknown): void {
  if (win && !win.isDestroyed() && !win.webContents.isDestroyed()) win.webContents.send(channel, value);
}
