/**
 * What the Electron preload exposes as `window.pretext` (types only; the renderer's IPC
 * transport and the preload both import it). A narrow domain API: `pretext.datasets.list()`,
 * `pretext.runs.create({...})`, never ipcRenderer. Every call answers an envelope so an
 * ApiError keeps its code across the bridge.
 */
import type { ApiError, ApiEvents, EventName, RequestName, RequestOf, ResponseOf } from './contract';
import type { ViewName } from './views';

export type Envelope<T> = { ok: true; res: T } | { ok: false; error: ApiError };

type DomainOf<N extends string> = N extends `${infer D}.${string}` ? D : never;
type MethodOf<N extends string, D extends string> = N extends `${D}.${infer M}` ? M : never;

/** `{ datasets: { list(req), get(req), ... }, runs: {...}, ... }` built from the request map. */
export type DomainApi = {
  [D in DomainOf<RequestName>]: {
    [M in MethodOf<RequestName, D>]: `${D}.${M}` extends infer N extends RequestName
      ? (req: RequestOf<N>) => Promise<Envelope<ResponseOf<N>>>
      : never;
  };
};

/** One batch of events as it crosses a wire (IPC or the WebSocket). */
export type EventBatch = { [E in EventName]: { event: E; payload: ApiEvents[E] } }[EventName][];

/** Menu actions that the renderer carries out (it owns the UI state); View items navigate (api/views.ts). */
export type MenuAction = { kind: 'navigate'; view: ViewName } | { kind: 'import'; paths: string[] } | { kind: 'export' };

export interface ShellBridge {
  /** Native Open… dialog (for a dataset, or the results folder of an exported recipe); null when cancelled. */
  pickImportPaths(directory: boolean, purpose?: 'dataset' | 'results'): Promise<string[] | null>;
  /**
   * Native Save dialog for a file or folder the engine wrote inside the workspace (an export,
   * a report): the main process copies it where the user chose and answers that path; null
   * when cancelled. `defaultName` is the file name the dialog suggests.
   */
  saveAs(path: string, defaultName: string): Promise<string | null>;
  /** webUtils.getPathForFile: the path of a dropped or picked file ('' when it has none). */
  pathForFile(file: File): string;
  /** Shows a written file in the OS file manager. */
  reveal(path: string): Promise<void>;
  /** Opens a written file (the HTML report) with the OS default application. */
  open(path: string): Promise<void>;
}

export type PretextBridge = DomainApi & {
  transport: 'ipc';
  /** Listens to one engine event; returns the unsubscribe function. */
  onEvent(listener: (batch: EventBatch) => void): () => void;
  /** Listens to the app menu; returns the unsubscribe function. */
  onMenu(listener: (action: MenuAction) => void): () => void;
  shell: ShellBridge;
};
