import type { WrittenFile } from '../../../../src-main/api/contract';

/** What differs between Electron and a browser: dialogs, files in and out. */
export interface Shell {
  kind: 'ipc' | 'http';
  /** Electron: native Open… dialog (folder or archive; `purpose` words its title); browser: null (the UI uses <input type=file>). */
  pickImportPaths(opts: { directory: boolean; purpose?: 'dataset' | 'results' }): Promise<string[] | null>;
  /** Dropped or picked files → a path the engine can import: Electron webUtils.getPathForFile;
   *  browser: uploads them (keeping webkitRelativePath) with progress, returns the server path. */
  stageFiles(files: File[], onProgress?: (sentBytes: number, totalBytes: number) => void): Promise<string>;
  /**
   * After an export/report job (its file is inside the workspace): a browser downloads its
   * downloadUrl; Electron asks where to save a copy (the main process's Save dialog, suggesting
   * `name`), then reveals it in its folder / opens the report. Answers where the file is now
   * (null: the Save dialog was cancelled).
   */
  deliver(file: WrittenFile, open?: boolean, name?: string): Promise<string | null>;
}
