import { usageError } from '../errors';
import { existsSync, realpathSync, statSync } from 'node:fs';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { EngineHost, forkEngine } from '../../engine/host';
import { generateToken, isLoopback } from '../../server/security';
import { startServer } from '../../server/server';
import { parseCommandArgs } from '../args';
import type { Command } from '../command';
import { PretextError } from '../../core/errors';

const RENDERER_DIR = fileURLToPath(new URL('../../../out/renderer', import.meta.url));

const usage = `Usage: pretext serve [--host H] [--port P] [--token T] [--data-root DIR]...

Serves the workbench (the renderer build in out/renderer: run npm run build first) and its API
over HTTP + WebSocket, with the engine in its own process. Binds 127.0.0.1 by default. On any
other host a token is required: give --token or one is generated; it is part of the printed
start URL (http://HOST:PORT/?token=…). Ctrl-C stops the server and the engine.

What a browser client can reach: it brings data by uploading files. It can name a folder or
file of this machine to import only under a --data-root DIR (repeatable; none by default).
Exports and reports are written inside the workspace (an 'out' is a path under its exports
folder) and downloaded from there.

Options:
  --host H          address to bind (default 127.0.0.1; another one needs a token)
  --port P          port (default 5199; 0 picks a free one)
  --token T         the access token (at least 16 characters; generated off loopback)
  --data-root DIR   a folder whose files the API may import by path (repeatable)`;

/** A --data-root folder, as its real path (symlinks resolved), or a usage error. */
function dataRoot(dir: string): string {
  if (dir === '') throw usageError('--data-root: give a folder');
  let real: string;
  try {
    real = realpathSync(resolve(dir));
  } catch {
    throw usageError(`--data-root ${dir}: no such folder`);
  }
  if (!statSync(real).isDirectory()) throw usageError(`--data-root ${dir}: not a folder`);
  return real;
}

export const serveCommand: Command = {
  name: 'serve',
  summary: 'the workbench in a browser: HTTP + WebSocket server and the engine',
  usage,
  async run(args, ctx) {
    const { values } = parseCommandArgs(
      args,
      {
        host: { type: 'string', default: '127.0.0.1' },
        port: { type: 'string', default: '5199' },
        token: { type: 'string' },
        'data-root': { type: 'string', multiple: true },
      },
      usage,
    );
    const host = values.host!;
    const port = Number(values.port);
    if (!/^\d+$/.test(values.port!) || port > 65535) throw usageError(`--port ${values.port}: must be a whole number from 0 to 65535`);
    if (values.token !== undefined && values.token.length < 16) throw usageError('--token: use at least 16 characters');
    const token = values.token ?? (isLoopback(host) ? undefined : generateToken());
    const dataRoots = (values['data-root'] ?? []).map(dataRoot);
    if (!existsSync(RENDERER_DIR)) ctx.progress.log(`note: ${RENDERER_DIR} is missing; run npm run build first (the API works, the page says so)`);

    ctx.progress.start('starting pretext serve', 2, 'step');
    const engine = new EngineHost({ spawn: forkEngine(), workspaceDir: ctx.workspaceDir, backend: ctx.backend, dataRoots });
    engine.onEvents((batch) => {
      for (const e of batch) if (e.event === 'engine.status') ctx.progress.log(`engine: ${e.payload.state}${e.payload.reason ? ` (${e.payload.reason})` : ''}`);
    });
    try {
      await engine.start();
    } catch (err) {
      await engine.stop(1000);
      throw new PretextError(`the engine did not start: ${(err as Error).message}`);
    }
    ctx.progress.update(1, 'engine ready');
    let server;
    try {
      server = await startServer({ api: engine, workspaceDir: ctx.workspaceDir, rendererDir: RENDERER_DIR, host, port, token });
    } catch (err) {
      await engine.stop();
      throw new PretextError(`cannot listen on ${host}:${port}: ${(err as Error).message}`);
    }
    ctx.progress.finish('listening');
    ctx.print(`Pretext workbench: ${server.startUrl}`);
    ctx.print(`workspace ${ctx.workspaceDir}; Ctrl-C stops`);
    if (dataRoots.length > 0) ctx.print(`data roots (importable by path): ${dataRoots.join(', ')}`);
    if (ctx.json) process.stderr.write(`${server.startUrl}\n`);
    // Ctrl-C (ctx.signal) or a service manager's SIGTERM: stop the same clean way.
    await new Promise<void>((resolve) => {
      if (ctx.signal.aborted) resolve();
      ctx.signal.addEventListener('abort', () => resolve(), { once: true });
      process.once('SIGTERM', () => resolve());
    });
    ctx.progress.log('stopping: the engine cancels its jobs (runs stay resumable)');
    await server.close();
    await engine.stop();
    return { url: server.url, startUrl: server.startUrl, stopped: true };
  },
};
