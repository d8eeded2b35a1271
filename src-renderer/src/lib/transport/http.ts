// The browser transport for `pretext serve`: requests are POSTs, events come over a WebSocket.
import type { ApiClient, RequestName, RequestOf, ResponseOf, WrittenFile } from '../../../../src-main/api/contract';
import type { EventBatch } from '../../../../src-main/api/bridge';
import { encodeUploadHeader } from '../../../../src-main/api/upload';
import { ApiRequestError, toApiError } from './errors';
import { Listeners } from './listeners';
import type { Shell } from './shell';

export const TOKEN_HEADER = 'x-pretext-token';
const TOKEN_KEY = 'pretext.token';

/** The token from the start URL (?token=…), kept in sessionStorage and removed from the address bar. */
export function takeToken(loc: Location, storage: Storage, history: History): string | null {
  const url = new URL(loc.href);
  const fromUrl = url.searchParams.get('token');
  if (fromUrl) {
    storage.setItem(TOKEN_KEY, fromUrl);
    url.searchParams.delete('token');
    history.replaceState(history.state, '', url.pathname + url.search + url.hash);
  }
  return fromUrl ?? storage.getItem(TOKEN_KEY);
}

export interface HttpOptions {
  origin: string;
  token: string | null;
  fetch?: typeof fetch;
  WebSocket?: typeof WebSocket;
}

export function httpClient(opts: HttpOptions): ApiClient & { close(): void; connected(): Promise<void> } {
  const doFetch = opts.fetch ?? fetch.bind(globalThis);
  const listeners = new Listeners();
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  if (opts.token) headers[TOKEN_HEADER] = opts.token;
  let socket: WebSocket | null = null;
  let closed = false;
  let retry = 500;
  let dropped = false;
  let opened: () => void = () => {};
  const firstOpen = new Promise<void>((r) => (opened = r));

  const connect = () => {
    if (closed) return;
    const WS = opts.WebSocket ?? WebSocket;
    const url = new URL('/api/events', opts.origin);
    url.protocol = url.protocol === 'https:' ? 'wss:' : 'ws:';
    if (opts.token) url.searchParams.set('token', opts.token);
    socket = new WS(url.toString());
    socket.onopen = () => {
      retry = 500;
      opened();
      // Back after a drop: tell the UI where the engine stands now.
      if (dropped) {
        dropped = false;
        void client
          .request('app.info', undefined)
          .then((info) => listeners.dispatch([{ event: 'engine.status', payload: info.engine }]))
          .catch(() => {});
      }
    };
    // A failed connection also closes: onclose reconnects.
    socket.onerror = () => {};
    socket.onmessage = (m: MessageEvent) => {
      try {
        listeners.dispatch(JSON.parse(String(m.data)) as EventBatch);
      } catch (err) {
        console.error('bad event batch', err);
      }
    };
    socket.onclose = () => {
      socket = null;
      if (closed) return;
      // The server went away (restart, network): reconnect with a growing pause.
      dropped = true;
      listeners.dispatch([{ event: 'engine.status', payload: { state: 'down', reason: 'connection to the server lost' } }]);
      setTimeout(connect, retry);
      retry = Math.min(retry * 2, 10_000);
    };
  };
  const client: ApiClient & { close(): void; connected(): Promise<void> } = {
    async request<N extends RequestName>(name: N, req: RequestOf<N>): Promise<ResponseOf<N>> {
      let res: Response;
      try {
        res = await doFetch(new URL(`/api/request/${name}`, opts.origin), { method: 'POST', headers, body: JSON.stringify(req ?? null) });
      } catch (err) {
        throw new ApiRequestError(`${name}: the server cannot be reached (${(err as Error).message})`, 'engine-down');
      }
      const body = (await res.json().catch(() => null)) as { error?: unknown } | null;
      if (!res.ok) throw toApiError(body?.error, `${name}: HTTP ${res.status}`);
      return body as ResponseOf<N>;
    },
    on: (event, listener) => listeners.on(event, listener),
    /** Resolves once the event socket is open (the first time). */
    connected: () => firstOpen,
    close() {
      closed = true;
      socket?.close();
    },
  };
  connect();
  return client;
}

/** The relative path a file is uploaded under: its folder path when a folder was dropped or picked. */
export function uploadPath(file: File): string {
  const rel = (file as File & { webkitRelativePath?: string }).webkitRelativePath;
  return rel && rel.length > 0 ? rel : file.name;
}

export function httpShell(opts: HttpOptions): Shell {
  return {
    kind: 'http',
    pickImportPaths: async () => null,
    stageFiles(files, onProgress) {
      const manifest = { files: files.map((f) => ({ path: uploadPath(f), size: f.size })) };
      const body = new Blob([encodeUploadHeader(manifest) as BlobPart, ...files]);
      return new Promise<string>((resolve, reject) => {
        const xhr = new XMLHttpRequest();
        xhr.open('POST', new URL('/api/upload', opts.origin).toString());
        if (opts.token) xhr.setRequestHeader(TOKEN_HEADER, opts.token);
        xhr.setRequestHeader('content-type', 'application/octet-stream');
        xhr.upload.onprogress = (e) => onProgress?.(e.loaded, e.total || body.size);
        xhr.onerror = () => reject(new ApiRequestError('upload: the server cannot be reached', 'engine-down'));
        xhr.onload = () => {
          let parsed: { path?: string; error?: unknown } | null = null;
          try {
            parsed = JSON.parse(xhr.responseText) as { path?: string; error?: unknown };
          } catch {
            /* not JSON */
          }
          if (xhr.status >= 200 && xhr.status < 300 && parsed?.path) resolve(parsed.path);
          else reject(toApiError(parsed?.error, `upload: HTTP ${xhr.status}`));
        };
        xhr.send(body);
      });
    },
    async deliver(file: WrittenFile) {
      if (!file.downloadUrl) return file.path;
      const url = new URL(file.downloadUrl, opts.origin);
      if (opts.token) url.searchParams.set('token', opts.token);
      const a = document.createElement('a');
      a.href = url.toString();
      a.download = file.path.split(/[\\/]/).pop() ?? 'download';
      document.body.appendChild(a);
      a.click();
      a.remove();
      return file.path;
    },
  };
}
