import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import type { ApiEvents } from '../../src-main/api/contract';
import { createService, type Service } from '../../src-main/api/service';
import { generateToken } from '../../src-main/server/security';
import { startServer, type RunningServer } from '../../src-main/server/server';
import { Workspace } from '../../src-main/store/workspace';
import { ApiRequestError } from '../../src-renderer/src/lib/transport';
import { httpClient, takeToken } from '../../src-renderer/src/lib/transport/http';
import { makeTempDir } from '../helpers/tmp';
import { makeToyDataset } from '../helpers/toyDataset';

let tmp: ReturnType<typeof makeTempDir>;
let ws: Workspace;
let service: Service;
let server: RunningServer;
const token = generateToken();

beforeEach(async () => {
  tmp = makeTempDir();
  ws = Workspace.open(join(tmp.dir, 'ws'));
  service = createService(ws, { backend: 'cpu' });
  server = await startServer({
    api: { request: (n, r) => service.handle(n, r as never), onEvents: (l) => service.onEvents(l) },
    workspaceDir: ws.dir,
    rendererDir: join(tmp.dir, 'none'),
    host: '0.0.0.0',
    port: 0,
    token,
  });
});

afterEach(async () => {
  await server.close();
  await service.close();
  ws.close();
  tmp.cleanup();
});

describe('renderer HTTP transport against pretext serve', () => {
  it('round-trips requests, maps errors to ApiRequestError with their code, and receives events over the WebSocket', async () => {
    const origin = `http://127.0.0.1:${new URL(server.url).port}`;
    const client = httpClient({ origin, token, WebSocket: WebSocket as unknown as typeof globalThis.WebSocket });
    try {
      const id = makeToyDataset(ws);
      const list = await client.request('datasets.list', undefined);
      expect(list.map((d) => d.id)).toEqual([id]);
      const err = await client.request('datasets.get', { id: 'ds-nope' }).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(ApiRequestError);
      expect((err as ApiRequestError).code).toBe('not-found');

      const changed = new Promise<ApiEvents['datasets.changed']>((resolve) => client.on('datasets.changed', resolve));
      await client.connected();
      expect(await client.request('datasets.delete', { id })).toEqual({ deleted: true });
      expect((await changed).datasetId).toBe(id);

      const wrong = httpClient({ origin, token: 'wrong-token-wrong-token', WebSocket: WebSocket as unknown as typeof globalThis.WebSocket });
      const denied = await wrong.request('datasets.list', undefined).catch((e: unknown) => e);
      expect((denied as Error).message).toMatch(/token/);
      wrong.close();
    } finally {
      client.close();
    }
  });

  it('says the engine is down when the socket drops, and ready again once it reconnects', async () => {
    const port = Number(new URL(server.url).port);
    const client = httpClient({ origin: `http://127.0.0.1:${port}`, token, WebSocket: WebSocket as unknown as typeof globalThis.WebSocket });
    try {
      await client.connected();
      const states: string[] = [];
      const back = new Promise<void>((resolve) =>
        client.on('engine.status', (s) => {
          states.push(s.state);
          if (s.state === 'ready') resolve();
        }),
      );
      await server.close();
      server = await startServer({
        api: { request: (n, r) => service.handle(n, r as never), onEvents: (l) => service.onEvents(l) },
        workspaceDir: ws.dir,
        rendererDir: join(tmp.dir, 'none'),
        host: '0.0.0.0',
        port,
        token,
      });
      await back;
      expect(states[0]).toBe('down');
      expect(states.at(-1)).toBe('ready');
    } finally {
      client.close();
    }
  });

  it('takes the token from the start URL into sessionStorage and off the address bar', () => {
    const store = new Map<string, string>();
    const storage = { getItem: (k: string) => store.get(k) ?? null, setItem: (k: string, v: string) => void store.set(k, v) } as Storage;
    let replaced = '';
    const history = { state: null, replaceState: (_s: unknown, _t: string, url: string) => (replaced = url) } as unknown as History;
    expect(takeToken({ href: 'http://box:5199/?token=abc123#/runs' } as Location, storage, history)).toBe('abc123');
    expect(replaced).toBe('/#/runs');
    expect(takeToken({ href: 'http://box:5199/' } as Location, storage, history)).toBe('abc123');
  });
});
