/** Native dialogs of the main window. */
import { dialog, type BrowserWindow } from 'electron';

/** What an Open dialog picks: a dataset (images, archives) or an exported recipe's results folder (issue 15). */
export type PickPurpose = 'dataset' | 'results';

export async function pickImportPaths(win: BrowserWindow | null, directory: boolean, purpose: PickPurpose = 'dataset'): Promise<string[]> {
  const opts: Electron.OpenDialogOptions = purpose === 'results'
    ? { title: 'Import results: the folder train.py wrote (recipe.json, metrics.jsonl, backbone.safetensors)', properties: ['openDirectory'] }
    : directory
    ? { title: 'Import a folder of images', properties: ['openDirectory'] }
    : {
        title: 'Import an archive or dataset file',
        properties: ['openFile'],
        filters: [
          { name: 'Datasets', extensions: ['zip', 'tar', 'gz', 'tgz', 'bin', 'csv', 'idx3-ubyte', 'ubyte'] },
          { name: 'All files', extensions: ['*'] },
        ],
      };
  const r = win ? await dialog.showOpenDialog(win, opts) : await dialog.showOpenDialog(opts);
  return r.canceled ? [] : r.filePaths;
}

export async function chooseSavePath(win: BrowserWindow | null, defaultName: string): Promise<string | null> {
  const opts: Electron.SaveDialogOptions = { title: 'Export', defaultPath: defaultName };
  const r = win ? await dialog.showSaveDialog(win, opts) : await dialog.showSaveDialog(opts);
  return r.canceled || !r.filePath ? null : r.filePath;
}
