import { describe, expect, it } from 'vitest';
import type { MenuItemConstructorOptions } from 'electron';
import type { MenuAction } from '../../src-main/api/bridge';
import { VIEWS } from '../../src-main/api/views';
import { menuTemplate } from '../../src-main/app/menu';
import { isAppUrl, isExternalLink, windowOptions, APP_CSP } from '../../src-main/app/windowOptions';

describe('main window', () => {
  it('is locked down: context isolation, sandbox, no Node, web security, no webview', () => {
    const o = windowOptions('/app/out/preload/index.cjs');
    expect(o.webPreferences).toMatchObject({
      preload: '/app/out/preload/index.cjs',
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      nodeIntegrationInWorker: false,
      nodeIntegrationInSubFrames: false,
      webSecurity: true,
      allowRunningInsecureContent: false,
      webviewTag: false,
    });
    expect(APP_CSP).toContain("script-src 'self'");
    expect(APP_CSP).not.toMatch(/unsafe-eval|script-src[^;]*unsafe-inline/);
  });

  it('accepts IPC and navigation only from the app page', () => {
    const dir = '/opt/pretext/out/renderer';
    expect(isAppUrl('file:///opt/pretext/out/renderer/index.html', dir)).toBe(true);
    expect(isAppUrl('file:///opt/pretext/out/renderer/index.html#/runs', dir)).toBe(true);
    expect(isAppUrl('file:///etc/passwd', dir)).toBe(false);
    expect(isAppUrl('file:///opt/pretext/out/renderer/other.html', dir)).toBe(false);
    expect(isAppUrl('https://evil.example/', dir)).toBe(false);
    expect(isAppUrl('http://localhost:5173/', dir, 'http://localhost:5173')).toBe(true);
    expect(isAppUrl('http://localhost:5174/', dir, 'http://localhost:5173')).toBe(false);
    expect(isAppUrl('not a url', dir)).toBe(false);
    expect(isAppUrl('file://evil.example/opt/pretext/out/renderer/index.html', dir)).toBe(false);
    // A path with characters that a URL escapes or would read as a fragment or query.
    const odd = '/home/a b/100%#1?/out/renderer';
    expect(isAppUrl('file:///home/a%20b/100%25%231%3F/out/renderer/index.html#/runs', odd)).toBe(true);
    expect(isAppUrl('file:///home/a%20b/100%25', odd)).toBe(false);
    expect(isAppUrl('file:///opt/pretext/out/%zz/index.html', dir)).toBe(false);
    expect(isExternalLink('https://arxiv.org/abs/2002.05709')).toBe(true);
    expect(isExternalLink('file:///etc/passwd')).toBe(false);
    expect(isExternalLink('javascript:alert(1)')).toBe(false);
  });

  it('has File and View menus; View items navigate with CmdOrCtrl+1..N, as the renderer\'s shortcuts', async () => {
    const sent: MenuAction[] = [];
    const template = menuTemplate({ send: (a) => sent.push(a), pick: async (d) => (d ? ['/data/folder'] : []), isMac: false });
    const file = template.find((m) => m.label === 'File')!.submenu as MenuItemConstructorOptions[];
    expect(file.map((i) => i.label ?? i.role ?? i.type)).toEqual(['Import Folder…', 'Import Archive…', 'Export…', 'separator', 'quit']);
    const view = template.find((m) => m.label === 'View')!.submenu as MenuItemConstructorOptions[];
    VIEWS.forEach((v, i) => {
      const item = view.find((m) => m.label === v.title)!;
      expect(item.accelerator).toBe(`CmdOrCtrl+${i + 1}`);
      (item.click as () => void)();
    });
    expect(sent).toEqual(VIEWS.map((v) => ({ kind: 'navigate', view: v.view })));
    // The seventh view (Evaluate & export, which the File menu's 'export' action opens) is on CmdOrCtrl+7 as in the renderer.
    const evaluate = view.find((m) => m.label === 'Evaluate & export')!;
    expect(evaluate.accelerator).toBe('CmdOrCtrl+7');
    (evaluate.click as () => void)();
    expect(sent.at(-1)).toEqual({ kind: 'navigate', view: 'evaluate' });
    (file[2]!.click as () => void)();
    expect(sent.pop()).toEqual({ kind: 'export' });
    await (file[0]!.click as () => Promise<void>)();
    await (file[1]!.click as () => Promise<void>)();
    expect(sent.at(-1)).toEqual({ kind: 'import', paths: ['/data/folder'] });
    expect(sent.filter((a) => a.kind === 'import')).toHaveLength(1);
  });

  it('a failing Open dialog is logged, not an unhandled rejection', async () => {
    const sent: MenuAction[] = [];
    const logged: unknown[] = [];
    const error = console.error;
    console.error = (...args: unknown[]) => void logged.push(args.join(' '));
    try {
      const template = menuTemplate({ send: (a) => sent.push(a), pick: async () => Promise.reject(new Error('no display')), isMac: true });
      expect(template[0]).toEqual({ role: 'appMenu' });
      const file = template.find((m) => m.label === 'File')!.submenu as MenuItemConstructorOptions[];
      expect(file.at(-1)).toEqual({ role: 'close' });
      await expect((file[0]!.click as () => Promise<void>)()).resolves.toBeUndefined();
    } finally {
      console.error = error;
    }
    expect(sent).toEqual([]);
    expect(logged).toEqual(['import dialog: no display']);
  });
});
