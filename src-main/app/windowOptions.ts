/**
 * The main window's options and URL rules, as a pure module (no Electron at run time) so unit
 * tests check them without the Electron binary.
 */
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { BrowserWindowConstructorOptions } from 'electron';
import { CSP } from '../server/security';

export function windowOptions(preloadPath: string): BrowserWindowConstructorOptions {
  return {
    width: 1280,
    height: 820,
    minWidth: 900,
    minHeight: 600,
    title: 'Pretext',
    show: false,
    webPreferences: {
      preload: preloadPath,
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      nodeIntegrationInWorker: false,
      nodeIntegrationInSubFrames: false,
      webSecurity: true,
      allowRunningInsecureContent: false,
      webviewTag: false,
      experimentalFeatures: false,
      navigateOnDragDrop: false,
      spellcheck: false,
    },
  };
}

/** The same policy as `pretext serve`, sent as a header for the app's pages too. */
export const APP_CSP = CSP;

/**
 * Whether a URL is the app's own page: the renderer build under `rendererDir` (file://), or
 * the dev server's origin in `npm run dev`. IPC from any other frame is refused.
 */
export function isAppUrl(url: string, rendererDir: string, devUrl?: string): boolean {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    return false;
  }
  if (devUrl) {
    try {
      if (u.origin === new URL(devUrl).origin) return true;
    } catch {
      /* a bad dev URL allows nothing */
    }
  }
  if (u.protocol !== 'file:') return false;
  // pathToFileURL escapes what a path may hold and a URL may not ('#', '?', '%', spaces) and
  // turns a Windows path into file:///C:/...; loadFile builds the page's URL the same way.
  const index = pathToFileURL(join(rendererDir, 'index.html'));
  const own = decoded(index.pathname);
  return u.host === index.host && own !== null && decoded(u.pathname) === own;
}

/** A malformed escape ('%zz') must answer "not ours", never throw inside a navigation guard. */
function decoded(pathname: string): string | null {
  try {
    return decodeURIComponent(pathname);
  } catch {
    return null;
  }
}

/** Links the window may hand to the OS browser (never file:, javascript: or custom schemes). */
export function isExternalLink(url: string): boolean {
  try {
    return new URL(url).protocol === 'https:';
  } catch {
    return false;
  }
}
