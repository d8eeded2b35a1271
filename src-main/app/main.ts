// Electron main process: one locked-down window, the app menu and native dialogs; the engine
// (workspace, training, evaluation) runs in a utilityProcess that is restarted if it dies.
import { join } from 'node:path';
import { app, BrowserWindow, Menu, session, shell } from 'electron';
import { EngineHost } from '../engine/host';
import { defaultWorkspaceDir } from '../store/workspace';
import { pickImportPaths } from './dialogs';
import { utilityEngine } from './engineProcess';
import { registerIpc, sendMenuAction } from './ipc';
import { menuTemplate } from './menu';
import { APP_CSP, isAppUrl, isExternalLink, windowOptions } from './windowOptions';

const rendererDir = join(__dirname, '../renderer');
const devUrl = process.env['ELECTRON_RENDERER_URL'];
const workspaceDir = process.env['PRETEXT_WORKSPACE'] || defaultWorkspaceDir();
let win: BrowserWindow | null = null;
// The packaged app's recipe program files (build/electron-builder.yml extraResources), for the
// engine and its work process (tasks/recipe/programFiles.ts); a checkout finds its own.
if (app.isPackaged && !process.env['PRETEXT_RECIPE_DIR']) process.env['PRETEXT_RECIPE_DIR'] = join(process.resourcesPath, 'recipe');

const engine = new EngineHost({
  spawn: utilityEngine(join(__dirname, 'engine.js')),
  workspaceDir,
  backend: process.env['PRETEXT_BACKEND'] || undefined,
  trainChildPath: join(__dirname, 'trainChild.js'),
  workChildPath: join(__dirname, 'workChild.js'),
  // The desktop app imports what the user picked in a native dialog or dropped on the window.
  dataRoots: 'any',
});

function createWindow(): BrowserWindow {
  const w = new BrowserWindow(windowOptions(join(__dirname, '../preload/index.cjs')));
  const own = (url: string) => isAppUrl(url, rendererDir, devUrl);
  // No navigation away from the app, in the page or in any frame of it (will-frame-navigate
  // covers both; a redirect is checked too), and no new windows inside it.
  w.webContents.on('will-frame-navigate', (event) => {
    if (!own(event.url)) event.preventDefault();
  });
  w.webContents.on('will-redirect', (event) => {
    if (!own(event.url)) event.preventDefault();
  });
  w.webContents.on('will-attach-webview', (event) => event.preventDefault());
  w.webContents.setWindowOpenHandler(({ url }) => {
    if (isExternalLink(url)) void shell.openExternal(url);
    return { action: 'deny' };
  });
  w.once('ready-to-show', () => w.show());
  if (devUrl) void w.loadURL(devUrl);
  else void w.loadFile(join(rendererDir, 'index.html'));
  return w;
}

// One app per user: a second engine on the same workspace would resume the same interrupted runs.
const primary = app.requestSingleInstanceLock();
if (!primary) app.quit();

app.on('second-instance', () => {
  if (!win || win.isDestroyed()) return;
  if (win.isMinimized()) win.restore();
  win.focus();
});

app.whenReady().then(async () => {
  if (!primary) return;
  // The CSP as a header for what is served over http(s) (the dev server); a file:// page has no
  // headers, there the index.html meta tag is the policy. No permission is granted or reported.
  session.defaultSession.webRequest.onHeadersReceived((details, callback) => {
    callback({ responseHeaders: { ...details.responseHeaders, 'Content-Security-Policy': [APP_CSP], 'X-Content-Type-Options': ['nosniff'] } });
  });
  session.defaultSession.setPermissionRequestHandler((_wc, _permission, callback) => callback(false));
  session.defaultSession.setPermissionCheckHandler(() => false);

  registerIpc({ engine, window: () => win, isAppUrl: (url) => isAppUrl(url, rendererDir, devUrl), workspaceDir });
  Menu.setApplicationMenu(
    Menu.buildFromTemplate(
      menuTemplate({ send: (action) => sendMenuAction(win, action), pick: (directory) => pickImportPaths(win, directory), isMac: process.platform === 'darwin' }),
    ),
  );
  win = createWindow();
  win.on('closed', () => (win = null));
  // The window shows at once; the engine's status reaches it as engine.status events.
  engine.start().catch((err: Error) => console.error(`engine: ${err.message}`));
  app.on('activate', () => {
    if (BrowserWindow.getAllWindows().length === 0) {
      win = createWindow();
      win.on('closed', () => (win = null));
    }
  });
});

app.on('window-all-closed', () => {
  if (process.platform !== 'darwin') app.quit();
});

let quitting = false;
app.on('before-quit', (event) => {
  if (quitting || !primary) return;
  quitting = true;
  event.preventDefault();
  // Training stops after its current step and stays resumable.
  void engine.stop(5000).finally(() => app.quit());
});
