import { spawn } from 'node:child_process';
import { mkdirSync, realpathSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli';
import { makeTempDir } from '../helpers/tmp';

const bin = join(__dirname, '..', '..', 'src-main', 'cli', 'bin.mjs');
let tmp: ReturnType<typeof makeTempDir>;

beforeEach(() => (tmp = makeTempDir()));
afterEach(() => tmp.cleanup());

describe('pretext serve (the real command)', () => {
  it('on a non-loopback host generates a token, prints it in the start URL, enforces it, and stops cleanly on SIGINT', async () => {
    const child = spawn(process.execPath, [bin, '--workspace', join(tmp.dir, 'ws'), '--backend', 'cpu', 'serve', '--host', '0.0.0.0', '--port', '0'], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (c: Buffer) => (out += c.toString()));
    child.stderr.on('data', (c: Buffer) => (err += c.toString()));
    const exited = new Promise<number | null>((r) => child.on('exit', (code) => r(code)));
    const deadline = Date.now() + 60_000;
    while (!/\?token=/.test(out) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
    const m = /http:\/\/0\.0\.0\.0:(\d+)\/\?token=([\w-]+)/.exec(out);
    expect(m, `${out}\n${err}`).not.toBeNull();
    const [, port, token] = m!;
    const base = `http://127.0.0.1:${port}`;
    expect(err).toMatch(/starting pretext serve/);
    expect((await fetch(`${base}/api/request/app.info`, { method: 'POST' })).status).toBe(401);
    const ok = await fetch(`${base}/api/request/app.info`, { method: 'POST', headers: { 'x-pretext-token': token! } });
    expect(ok.status).toBe(200);
    const info = (await ok.json()) as { transport: string; engine: { state: string }; backend: { name: string } };
    expect(info).toMatchObject({ transport: 'http', engine: { state: 'ready' }, backend: { name: 'cpu' } });
    child.kill('SIGINT');
    expect(await exited).toBe(0);
    expect(err).toMatch(/stopping/);
  }, 90_000);
});

describe('pretext serve --data-root', () => {
  it('lets the API read server-side paths only under the named data roots', async () => {
    const root = join(tmp.dir, 'data');
    mkdirSync(root);
    writeFileSync(join(root, 'a.png'), 'png');
    writeFileSync(join(tmp.dir, 'secret.txt'), 'no');
    const child = spawn(process.execPath, [bin, '--workspace', join(tmp.dir, 'ws'), '--backend', 'cpu', 'serve', '--port', '0', '--data-root', root], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (c: Buffer) => (out += c.toString()));
    child.stderr.on('data', (c: Buffer) => (err += c.toString()));
    const exited = new Promise<number | null>((r) => child.on('exit', (code) => r(code)));
    const deadline = Date.now() + 60_000;
    while (!/data roots/.test(out) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
    const m = /http:\/\/127\.0\.0\.1:(\d+)\//.exec(out);
    expect(m, `${out}\n${err}`).not.toBeNull();
    expect(out).toContain(`data roots (importable by path): ${realpathSync(root)}`);
    const stage = (path: string) => fetch(`http://127.0.0.1:${m![1]}/api/request/datasets.stage`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ paths: [path] }) });
    expect((await stage(join(root, 'a.png'))).status).toBe(200);
    const refused = await stage(join(tmp.dir, 'secret.txt'));
    expect(refused.status).toBe(400);
    expect(((await refused.json()) as { error: { message: string } }).error.message).toMatch(/data roots.*--data-root/);
    child.kill('SIGINT');
    expect(await exited).toBe(0);
  }, 90_000);

  it('refuses a data root that is not a folder, and documents the option', async () => {
    const r = await runCli(['--workspace', join(tmp.dir, 'ws'), 'serve', '--port', '0', '--data-root', join(tmp.dir, 'nope')]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('--data-root');
    const help = await runCli(['serve', '--help']);
    expect(help.stdout + help.stderr).toMatch(/--data-root DIR/);
    expect(help.stdout + help.stderr).toMatch(/upload/);
  }, 60_000);
});
