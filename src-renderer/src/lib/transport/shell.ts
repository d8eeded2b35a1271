import type { WrittenFile } from '../../../../src-main/api/contract';

/** What differs between Electron and a browser: dialogs, files in and out. */
export interface Shell {
  kind: 'ipc' | 'http';
  /** Electron: native Open… dialog (folder or archive); browser: null (the UI uses <input type=file>). */
  pickImportPaths(opts: { directory: boolean }): Promise<string[] | null>;
  /** Dropped or picked files → a path the engine can import: Electron webUtils.getPathForFile;
   *  browser: uploads them (keeping webkitRelativePath) with progress, returns the server path. */
  stageFiles(files: File[], onProgress?: (sentBytes: number, totalBytes: number) => void): Promise<string>;
  /** Electron: native Save dialog → path (null if cancelled); browser: undefined (server default). */
  chooseSavePath(defaultName: string): Promise<string | null | undefined>;
  /** After an export/report job: browser downloads downloadUrl; Electron reveals it in the folder / opens the report. */
  deliver(file: WrittenFile, open?: boolean): Promise<void>;
}
