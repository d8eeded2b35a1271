/** The app menu: File (import, export, quit) and View (the workbench's views, with accelerators). */
import type { MenuItemConstructorOptions } from 'electron';
import type { MenuAction } from '../api/bridge';
import { VIEWS } from '../api/views';

export interface MenuHandlers {
  send(action: MenuAction): void;
  /** Native Open… dialog; resolves the chosen paths (empty when cancelled). */
  pick(directory: boolean): Promise<string[]>;
  isMac: boolean;
}

export function menuTemplate(h: MenuHandlers): MenuItemConstructorOptions[] {
  const importFrom = (directory: boolean) => async () => {
    try {
      const paths = await h.pick(directory);
      if (paths.length > 0) h.send({ kind: 'import', paths });
    } catch (err) {
      // A menu click has nobody to reject to: say it where the app's logs go.
      console.error(`import dialog: ${(err as Error).message}`);
    }
  };
  const file: MenuItemConstructorOptions = {
    label: 'File',
    submenu: [
      { label: 'Import Folder…', accelerator: 'CmdOrCtrl+O', click: importFrom(true) },
      { label: 'Import Archive…', accelerator: 'CmdOrCtrl+Shift+O', click: importFrom(false) },
      { label: 'Export…', accelerator: 'CmdOrCtrl+E', click: () => h.send({ kind: 'export' }) },
      { type: 'separator' },
      h.isMac ? { role: 'close' } : { role: 'quit' },
    ],
  };
  const view: MenuItemConstructorOptions = {
    label: 'View',
    submenu: [
      // The same views and Ctrl/Cmd+N shortcuts as the renderer's sidebar.
      ...VIEWS.map((v, i): MenuItemConstructorOptions => ({ label: v.title, accelerator: `CmdOrCtrl+${i + 1}`, click: () => h.send({ kind: 'navigate', view: v.view }) })),
      { type: 'separator' },
      { role: 'reload' },
      { role: 'toggleDevTools' },
      { type: 'separator' },
      { role: 'resetZoom' },
      { role: 'zoomIn' },
      { role: 'zoomOut' },
      { role: 'togglefullscreen' },
    ],
  };
  const edit: MenuItemConstructorOptions = { role: 'editMenu' };
  return [...(h.isMac ? [{ role: 'appMenu' } as MenuItemConstructorOptions] : []), file, edit, view, { role: 'windowMenu' }];
}
