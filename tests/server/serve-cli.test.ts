import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
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
