/**
 * One e2e session: `pretext serve` on a fresh workspace and Chromium on its start URL, with the
 * page's errors collected, screenshots that must be neither blank nor after a page error, and
 * view navigation. The e2e files that drive one window share it.
 */
import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, expect } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { makeTempDir } from '../helpers/tmp';
import { CHROMIUM, ensureRendererBuild, pixelSpread, ROOT, startServe, type Served } from './harness';

export const hasChromium = existsSync(CHROMIUM);
if (!hasChromium && process.env['PRETEXT_E2E_REQUIRED']) throw new Error(`e2e: ${CHROMIUM} is absent (apt-get install chromium)`);
export const SHOTS = join(ROOT, 'test-results');

export interface Session {
  page: Page;
  /** The session's own folder (its workspace is ws/ in it). */
  dir: string;
  /** Errors the page threw or logged so far. */
  pageErrors: string[];
  /** A screenshot of the window as the user sees it, test-results/PREFIX-NAME.png: not blank, after no page error. */
  shoot(name: string): Promise<void>;
  /** Opens a view from the navigation and waits for its heading. */
  go(title: string): Promise<void>;
  close(): Promise<void>;
}

export async function openSession(opts: { tmpPrefix: string; shotPrefix: string; viewport: { width: number; height: number } }): Promise<Session> {
  const tmp = makeTempDir(opts.tmpPrefix);
  ensureRendererBuild();
  mkdirSync(SHOTS, { recursive: true });
  const launching = import('playwright-core').then(({ chromium }) => chromium.launch({ executablePath: CHROMIUM }));
  let served: Served | undefined;
  let browser: Browser | undefined;
  const close = () => Promise.all([browser?.close(), served?.stop()]).then(() => tmp.cleanup());
  const pageErrors: string[] = [];
  try {
    [served, browser] = await Promise.all([startServe(join(tmp.dir, 'ws')), launching]);
    const page = await browser.newPage({ viewport: opts.viewport });
    page.on('pageerror', (e) => void pageErrors.push(e.message));
    page.on('console', (m) => void (m.type() === 'error' && pageErrors.push(`console: ${m.text()}`)));
    await page.goto(served.url);
    await page.getByRole('heading', { level: 1, name: 'Datasets' }).waitFor({ timeout: 60_000 });
    return {
      page,
      dir: tmp.dir,
      pageErrors,
      async shoot(name) {
        expect(pageErrors, `page errors before ${name}`).toEqual([]);
        const png = await page.screenshot({ path: join(SHOTS, `${opts.shotPrefix}-${name}.png`) });
        expect(await pixelSpread(png), `${name} is blank`).toBeGreaterThan(8);
      },
      async go(title) {
        await page.getByRole('navigation', { name: 'Views' }).getByRole('button', { name: title }).click();
        await expect.poll(() => page.getByRole('heading', { level: 1 }).textContent()).toBe(title);
      },
      close,
    };
  } catch (err) {
    await close();
    throw err;
  }
}

/** A session for the tests of one describe block: opened before them, closed after; its members read once it is open. */
export function useSession(opts: Parameters<typeof openSession>[0]): Pick<Session, 'page' | 'dir' | 'shoot' | 'go'> {
  let s: Session | undefined;
  beforeAll(async () => {
    s = await openSession(opts);
  }, 240_000);
  afterAll(() => s?.close());
  const open = (): Session => {
    if (!s) throw new Error('e2e session is not open');
    return s;
  };
  return {
    get page() {
      return open().page;
    },
    get dir() {
      return open().dir;
    },
    shoot: (name) => open().shoot(name),
    go: (title) => open().go(title),
  };
}
