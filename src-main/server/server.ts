/**
 * `pretext serve`: the renderer build and the API over HTTP + WebSocket, for a browser on this
 * machine or (with a token) on another one.
 *   POST /api/request/<name>   JSON body → JSON response; errors as { error: ApiError } with
 *                              400/404/409/500/503
 *   WS   /api/events           event batches (JSON arrays)
 *   POST /api/upload           dropped files → { path } under the workspace's tmp
 *   GET  /api/download?path=   a file inside the workspace (exports, reports); a folder as a zip
 *   GET  /*                    the renderer build; every response carries the CSP and nosniff
 * The token (required on a non-loopback bind) comes as the x-pretext-token header or, where a
 * header cannot be set (WebSocket, download links), as ?token=.
 * Requests that name server-side paths are confined by the service (api/pathAccess.ts): reads
 * only from uploads and the --data-root folders, outputs only inside the workspace.
 */
import { statSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { basename, join } from 'node:path';
import { WebSocketServer, type WebSocket } from 'ws';
import type { ApiError, JobInfo, RequestName, WrittenFile } from '../api/contract';
import type { EventBatch } from '../api/bridge';
import { httpStatus, toApiError } from '../api/errors';
import { validateRequest } from '../api/schema/validate';
import { isRequestName } from '../api/names';
import { insideWorkspace } from '../api/pathAccess';
import { SECURITY_HEADERS, TOKEN_HEADER, isLoopback, tokenMatches } from './security';
import { rendererReady, resolveStatic, sendFile } from './statics';
import { DEFAULT_UPLOAD_LIMITS, receiveUpload, UploadError, type UploadLimits } from './upload';
import { zipDirectory, ZipLimitError } from '../data/formats/zipWrite';

/** What the server forwards to: the EngineHost, or a service in this process. */
export interface ApiBackend {
  request(name: RequestName, req: unknown): Promise<unknown>;
  onEvents(listener: (batch: EventBatch) => void): () => void;
}

export interface ServeOptions {
  api: ApiBackend;
  workspaceDir: string;
  rendererDir: string;
  host?: string;
  port?: number;
  /** Required when host is not a loopback address. */
  token?: string;
  uploadLimits?: UploadLimits;
  /** Largest JSON request body (default 1 MiB). */
  maxJsonBytes?: number;
}

export interface RunningServer {
  server: Server;
  url: string;
  /** The start URL, with the token when there is one. */
  startUrl: string;
  close(): Promise<void>;
}

const JSON_TYPE = 'application/json; charset=utf-8';

function send(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body ?? null);
  res.writeHead(status, { 'content-type': JSON_TYPE, 'content-length': String(Buffer.byteLength(text)), 'cache-control': 'no-store' });
  res.end(text);
}

function sendError(res: ServerResponse, status: number, error: ApiError): void {
  send(res, status, { error });
}

async function readJson(req: IncomingMessage, limit: number): Promise<unknown> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const c of req as AsyncIterable<Buffer>) {
    size += c.length;
    if (size > limit) throw Object.assign(new Error(`request body larger than ${limit} bytes`), { status: 413 });
    chunks.push(c);
  }
  const text = Buffer.concat(chunks).toString('utf8');
  if (text.trim() === '') return undefined;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    throw Object.assign(new Error('request body is not JSON'), { status: 400 });
  }
}

/** A file or folder inside the workspace (symlinks resolved), or null. */
export function downloadable(workspaceDir: string, path: string): { path: string; isDir: boolean } | null {
  const file = insideWorkspace(workspaceDir, path);
  const s = file === null ? undefined : statSync(file, { throwIfNoEntry: false });
  return file !== null && s && (s.isFile() || s.isDirectory()) ? { path: file, isDir: s.isDirectory() } : null;
}

/** A safe attachment file name: a folder downloads as <name>.zip. */
function attachmentName(path: string, isDir: boolean): string {
  return `${basename(path).replace(/[^\w.-]/g, '_')}${isDir ? '.zip' : ''}`;
}

function hostIsLoopback(req: IncomingMessage): boolean {
  const h = req.headers.host ?? '';
  const name = h.startsWith('[') ? h.slice(0, h.indexOf(']') + 1) : h.split(':')[0]!;
  return isLoopback(name);
}

/** Adds the download URL to what an export or report job wrote (a file, or a folder served as a zip, inside the workspace). */
export function withDownloadUrl(job: JobInfo, workspaceDir: string): JobInfo {
  const r = job.result as Partial<WrittenFile> | undefined;
  if (!r || typeof r.path !== 'string' || typeof r.bytes !== 'number' || !downloadable(workspaceDir, r.path)) return job;
  return { ...job, result: { ...r, downloadUrl: `/api/download?path=${encodeURIComponent(r.path)}` } };
}

function withDownloadUrls(batch: EventBatch, workspaceDir: string): EventBatch {
  return batch.map((e) => (e.event === 'job.finished' ? { event: e.event, payload: withDownloadUrl(e.payload as JobInfo, workspaceDir) } : e));
}

export async function startServer(opts: ServeOptions): Promise<RunningServer> {
  const host = opts.host ?? '127.0.0.1';
  const loopback = isLoopback(host);
  if (!loopback && !opts.token) throw new Error(`--host ${host}: a token is required on a non-loopback address`);
  const token = opts.token;
  const tmpDir = join(opts.workspaceDir, 'tmp');
  const maxJson = opts.maxJsonBytes ?? 1024 * 1024;

  const authorised = (req: IncomingMessage, url: URL): boolean => {
    if (!token) return true;
    const header = req.headers[TOKEN_HEADER];
    return tokenMatches(token, typeof header === 'string' ? header : url.searchParams.get('token'));
  };

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    for (const [k, v] of Object.entries(SECURITY_HEADERS)) res.setHeader(k, v);
    const url = new URL(req.url ?? '/', 'http://localhost');
    const path = url.pathname;
    // DNS rebinding: a loopback server answers only to loopback host names.
    if (loopback && !hostIsLoopback(req)) return sendError(res, 403, { message: `host ${req.headers.host ?? ''} is not this machine`, code: 'bad-request' });
    if (path.startsWith('/api/')) {
      if (!authorised(req, url)) return sendError(res, 401, { message: 'missing or wrong token: open the start URL printed by pretext serve', code: 'bad-request' });
      // No CORS: a browser page from another origin cannot read answers, and is refused here.
      const origin = req.headers.origin;
      if (origin && origin !== `http://${req.headers.host}` && origin !== `https://${req.headers.host}`) {
        return sendError(res, 403, { message: `requests from origin ${origin} are not allowed`, code: 'bad-request' });
      }
      if (path.startsWith('/api/request/')) {
        if (req.method !== 'POST') return sendError(res, 405, { message: 'use POST', code: 'bad-request' });
        let name: string;
        try {
          name = decodeURIComponent(path.slice('/api/request/'.length));
        } catch {
          return sendError(res, 400, { message: 'the request name is not valid URL encoding', code: 'bad-request', field: 'name' });
        }
        if (!isRequestName(name)) return sendError(res, 404, { message: `unknown request '${name.slice(0, 100)}'`, code: 'not-found', field: 'name' });
        let body: unknown;
        try {
          body = await readJson(req, maxJson);
        } catch (err) {
          return sendError(res, (err as { status?: number }).status ?? 400, { message: `${name}: ${(err as Error).message}`, code: 'bad-request', field: 'body' });
        }
        try {
          // Checked here too, before it travels to the engine (a deep body cannot cross).
          body = validateRequest(name, body);
          const result = await opts.api.request(name, body);
          if (name === 'app.info') return send(res, 200, { ...(result as object), transport: 'http' });
          if (name === 'jobs.list') return send(res, 200, (result as JobInfo[]).map((j) => withDownloadUrl(j, opts.workspaceDir)));
          return send(res, 200, result);
        } catch (err) {
          const e = toApiError(err);
          return sendError(res, httpStatus(e.code), e);
        }
      }
      if (path === '/api/upload') {
        if (req.method !== 'POST' && req.method !== 'PUT') return sendError(res, 405, { message: 'use POST', code: 'bad-request' });
        try {
          return send(res, 200, await receiveUpload(req, tmpDir, opts.uploadLimits ?? DEFAULT_UPLOAD_LIMITS));
        } catch (err) {
          const status = err instanceof UploadError ? err.status : 500;
          res.setHeader('connection', 'close');
          return sendError(res, status, { message: (err as Error).message, code: status === 500 ? 'internal' : 'bad-request' });
        }
      }
      if (path === '/api/download') {
        const wanted = url.searchParams.get('path') ?? '';
        const target = downloadable(opts.workspaceDir, wanted);
        if (!target) return sendError(res, 404, { message: `${wanted}: not a file or folder inside the workspace`, code: 'not-found' });
        const disposition = { 'content-disposition': `attachment; filename="${attachmentName(target.path, target.isDir)}"` };
        if (!target.isDir) return sendFile(res, target.path, disposition);
        // A folder (the tfjs encoder export) goes to a browser as one zip.
        let zip: Buffer;
        try {
          zip = await zipDirectory(target.path);
        } catch (err) {
          if (err instanceof ZipLimitError) return sendError(res, 413, { message: err.message, code: 'bad-request' });
          throw err;
        }
        res.writeHead(200, { 'content-type': 'application/zip', 'content-length': String(zip.length), 'cache-control': 'no-store', ...disposition });
        return void res.end(zip);
      }
      return sendError(res, 404, { message: `no API endpoint ${path}`, code: 'not-found' });
    }
    if (req.method !== 'GET' && req.method !== 'HEAD') return sendError(res, 405, { message: 'use GET', code: 'bad-request' });
    if (!rendererReady(opts.rendererDir)) {
      res.writeHead(503, { 'content-type': 'text/plain; charset=utf-8' });
      return void res.end(`The workbench UI is not built (${opts.rendererDir} is missing): run npm run build first.\n`);
    }
    const file = resolveStatic(opts.rendererDir, path) ?? join(opts.rendererDir, 'index.html');
    sendFile(res, file);
  };

  const server = createServer((req, res) => {
    handle(req, res).catch((err: Error) => {
      console.error('pretext serve:', err);
      if (!res.headersSent) sendError(res, 500, { message: 'internal error (see the server log)', code: 'internal' });
      else res.destroy(err);
    });
  });

  const wss = new WebSocketServer({ noServer: true, maxPayload: 64 * 1024 });
  const sockets = new Set<WebSocket>();
  server.on('upgrade', (req, socket, head) => {
    const url = new URL(req.url ?? '/', 'http://localhost');
    const origin = req.headers.origin;
    const sameOrigin = !origin || origin === `http://${req.headers.host}` || origin === `https://${req.headers.host}`;
    if (url.pathname !== '/api/events' || !authorised(req, url) || !sameOrigin || (loopback && !hostIsLoopback(req))) {
      socket.end(`HTTP/1.1 ${url.pathname !== '/api/events' ? '404 Not Found' : '401 Unauthorized'}\r\nconnection: close\r\n\r\n`);
      return;
    }
    wss.handleUpgrade(req, socket, head, (ws) => {
      sockets.add(ws);
      ws.on('close', () => sockets.delete(ws));
      ws.on('error', () => sockets.delete(ws));
    });
  });
  const unsubscribe = opts.api.onEvents((batch) => {
    if (sockets.size === 0) return;
    const text = JSON.stringify(withDownloadUrls(batch, opts.workspaceDir));
    for (const s of sockets) if (s.readyState === s.OPEN) s.send(text);
  });

  await new Promise<void>((resolveListen, reject) => {
    server.once('error', reject);
    server.listen(opts.port ?? 5199, host, () => {
      server.off('error', reject);
      resolveListen();
    });
  });
  const addr = server.address() as AddressInfo;
  const shown = addr.family === 'IPv6' ? `[${addr.address}]` : addr.address;
  const url = `http://${shown}:${addr.port}/`;
  return {
    server,
    url,
    startUrl: token ? `${url}?token=${encodeURIComponent(token)}` : url,
    close: () =>
      new Promise<void>((done) => {
        unsubscribe();
        for (const s of sockets) s.terminate();
        wss.close();
        server.closeAllConnections();
        server.close(() => done());
      }),
  };
}
