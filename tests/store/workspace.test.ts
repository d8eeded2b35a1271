import { existsSync, mkdirSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { migrations } from '../../src-main/store/migrations';
import { Workspace, defaultWorkspaceDir, migrate } from '../../src-main/store/workspace';
import { makeTempDir } from '../helpers/tmp';

let tmp: ReturnType<typeof makeTempDir>;
beforeEach(() => (tmp = makeTempDir()));
afterEach(() => tmp.cleanup());

describe('workspace', () => {
  it('creates the database with WAL, foreign keys and every migration applied', () => {
    const ws = Workspace.open(join(tmp.dir, 'ws'));
    try {
      expect(existsSync(join(tmp.dir, 'ws', 'pretext.db'))).toBe(true);
      expect(ws.db.pragma('journal_mode', { simple: true })).toBe('wal');
      expect(ws.db.pragma('foreign_keys', { simple: true })).toBe(1);
      const versions = ws.db.prepare('SELECT version FROM schema_version ORDER BY version').all() as { version: number }[];
      expect(versions.map((v) => v.version)).toEqual(migrations.map((m) => m.version));
      const tables = (ws.db.prepare("SELECT name FROM sqlite_master WHERE type = 'table'").all() as { name: string }[]).map((t) => t.name);
      expect(tables).toEqual(expect.arrayContaining(['datasets', 'classes', 'items', 'import_failures']));
      for (const d of [ws.datasetsDir, ws.runsDir, ws.tmpDir]) expect(existsSync(d)).toBe(true);
    } finally {
      ws.close();
    }
  });

  it('applies only newer migrations, in order, and records them', () => {
    const db = new Database(':memory:');
    const list = [
      { version: 1, name: 'a', sql: 'CREATE TABLE a (x INTEGER)' },
      { version: 2, name: 'b', sql: 'CREATE TABLE b (y INTEGER)' },
    ];
    expect(migrate(db, list.slice(0, 1))).toEqual([1]);
    expect(migrate(db, list)).toEqual([2]);
    expect(migrate(db, list)).toEqual([]);
    const names = db.prepare('SELECT name FROM schema_version ORDER BY version').all() as { name: string }[];
    expect(names.map((n) => n.name)).toEqual(['a', 'b']);
    db.close();
  });

  it('rolls back a failing migration and keeps the version where it was', () => {
    const db = new Database(':memory:');
    const bad = [
      { version: 1, name: 'ok', sql: 'CREATE TABLE a (x INTEGER)' },
      { version: 2, name: 'broken', sql: 'CREATE TABLE b (y INTEGER); INSERT INTO nope VALUES (1)' },
    ];
    expect(() => migrate(db, bad)).toThrow(/nope/);
    const v = db.prepare('SELECT MAX(version) AS v FROM schema_version').get() as { v: number };
    expect(v.v).toBe(1);
    expect(db.prepare("SELECT name FROM sqlite_master WHERE name = 'b'").get()).toBeUndefined();
    db.close();
  });

  it('refuses a database written by a newer Pretext', () => {
    const db = new Database(':memory:');
    migrate(db, [{ version: 1, name: 'a', sql: 'SELECT 1' }]);
    db.prepare("INSERT INTO schema_version VALUES (99, 'future', 'x')").run();
    expect(() => migrate(db, [{ version: 1, name: 'a', sql: 'SELECT 1' }])).toThrow(/schema version 99.*upgrade Pretext/);
    db.close();
  });

  it('reopens an existing workspace without re-applying migrations', () => {
    const dir = join(tmp.dir, 'ws');
    Workspace.open(dir).close();
    const ws = Workspace.open(dir);
    const n = ws.db.prepare('SELECT COUNT(*) AS n FROM schema_version').get() as { n: number };
    expect(n.n).toBe(migrations.length);
    ws.close();
  });

  it('sweeps tmp folders of dead processes and old orphan dataset folders, keeps live ones', () => {
    const dir = join(tmp.dir, 'ws');
    Workspace.open(dir).close();
    const deadTmp = join(dir, 'tmp', '999999999-import-dead');
    const liveTmp = join(dir, 'tmp', `${process.pid}-import-live`);
    const oldOrphan = join(dir, 'datasets', 'ds-orphan1');
    const freshOrphan = join(dir, 'datasets', 'ds-orphan2');
    for (const d of [deadTmp, liveTmp, oldOrphan, freshOrphan]) {
      mkdirSync(d, { recursive: true });
      writeFileSync(join(d, 'pixels.u8'), 'x');
    }
    const hourAgo = new Date(Date.now() - 3600_000);
    utimesSync(oldOrphan, hourAgo, hourAgo);
    Workspace.open(dir).close();
    expect(existsSync(deadTmp)).toBe(false);
    expect(existsSync(liveTmp)).toBe(true);
    expect(existsSync(oldOrphan)).toBe(false);
    expect(existsSync(freshOrphan)).toBe(true);
  });

  it('defaults to PRETEXT_WORKSPACE, else an OS app-data folder', () => {
    expect(defaultWorkspaceDir({ PRETEXT_WORKSPACE: '/data/ws' })).toBe('/data/ws');
    if (process.platform === 'linux') {
      expect(defaultWorkspaceDir({ XDG_DATA_HOME: '/x/share' })).toBe('/x/share/pretext');
    }
  });
});
