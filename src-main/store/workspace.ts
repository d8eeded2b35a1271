import { randomBytes } from 'node:crypto';
import { mkdirSync, readdirSync, rmSync, statSync } from 'node:fs';
import { homedir } from 'node:os';
import { join, resolve } from 'node:path';
import Database from 'better-sqlite3';
import { migrations, type Migration } from './migrations';

export type Db = Database.Database;

const ORPHAN_AGE_MS = 10 * 60 * 1000;

/** Whether a process with this pid exists (EPERM: it exists, owned by someone else). */
export function isAlive(pid: number): boolean {
  if (pid === process.pid) return true;
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** The OS's per-user app-data folder for Pretext. */
export function defaultWorkspaceDir(env: NodeJS.ProcessEnv = process.env): string {
  if (env['PRETEXT_WORKSPACE']) return resolve(env['PRETEXT_WORKSPACE']);
  const home = homedir();
  switch (process.platform) {
    case 'win32':
      return join(env['APPDATA'] ?? join(home, 'AppData', 'Roaming'), 'Pretext');
    case 'darwin':
      return join(home, 'Library', 'Application Support', 'Pretext');
    default:
      return join(env['XDG_DATA_HOME'] ?? join(home, '.local', 'share'), 'pretext');
  }
}

/** Applies every migration newer than the recorded version; returns the versions applied. */
export function migrate(db: Db, list: Migration[] = migrations): number[] {
  db.exec(`CREATE TABLE IF NOT EXISTS schema_version (
    version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL)`);
  const row = db.prepare('SELECT MAX(version) AS v FROM schema_version').get() as { v: number | null };
  const current = row.v ?? 0;
  const known = Math.max(0, ...list.map((m) => m.version));
  if (current > known) {
    throw new Error(
      `the workspace database is at schema version ${current}, newer than this Pretext (${known}); upgrade Pretext`,
    );
  }
  const applied: number[] = [];
  for (const m of [...list].sort((a, b) => a.version - b.version)) {
    if (m.version <= current) continue;
    db.transaction(() => {
      db.exec(m.sql);
      db.prepare('INSERT INTO schema_version (version, name, applied_at) VALUES (?, ?, ?)').run(
        m.version,
        m.name,
        new Date().toISOString(),
      );
    })();
    applied.push(m.version);
  }
  return applied;
}

/**
 * A workspace folder: `pretext.db` (SQLite, WAL, foreign keys on), `datasets/` for decoded
 * pixel arrays and `runs/` for checkpoints and exports. Opening it applies pending migrations
 * and removes leftovers of imports that were killed before they committed.
 */
export class Workspace {
  readonly db: Db;
  readonly datasetsDir: string;
  readonly runsDir: string;
  readonly tmpDir: string;

  private constructor(readonly dir: string) {
    mkdirSync(dir, { recursive: true });
    this.datasetsDir = join(dir, 'datasets');
    this.runsDir = join(dir, 'runs');
    this.tmpDir = join(dir, 'tmp');
    for (const d of [this.datasetsDir, this.runsDir, this.tmpDir]) mkdirSync(d, { recursive: true });
    this.db = new Database(join(dir, 'pretext.db'));
    this.db.pragma('journal_mode = WAL');
    this.db.pragma('foreign_keys = ON');
    this.db.pragma('busy_timeout = 5000');
    migrate(this.db);
    this.sweepOrphans();
  }

  static open(dir: string = defaultWorkspaceDir()): Workspace {
    return new Workspace(resolve(dir));
  }

  /** Path of a file inside the workspace from its stored relative form. */
  path(relative: string): string {
    return join(this.dir, relative);
  }

  close(): void {
    if (this.db.open) this.db.close();
  }

  /**
   * A private scratch folder for this process under tmp/, named by pid so a later open can
   * tell leftovers of dead processes from the work of a live one.
   */
  makeTmp(prefix: string): string {
    const dir = join(this.tmpDir, `${process.pid}-${prefix}-${randomBytes(4).toString('hex')}`);
    mkdirSync(dir, { recursive: true });
    return dir;
  }

  /**
   * Removes what killed processes left: tmp folders of dead pids, and dataset folders with no
   * row that are old enough not to be an import in another process about to commit.
   */
  private sweepOrphans(): void {
    const ids = new Set(
      (this.db.prepare('SELECT id FROM datasets').all() as { id: string }[]).map((r) => r.id),
    );
    const now = Date.now();
    for (const name of readdirSync(this.datasetsDir)) {
      const full = join(this.datasetsDir, name);
      if (!ids.has(name) && now - statSync(full).mtimeMs > ORPHAN_AGE_MS) {
        rmSync(full, { recursive: true, force: true });
      }
    }
    for (const name of readdirSync(this.tmpDir)) {
      const pid = Number.parseInt(name.split('-')[0] ?? '', 10);
      if (!Number.isInteger(pid) || !isAlive(pid)) {
        rmSync(join(this.tmpDir, name), { recursive: true, force: true });
      }
    }
  }
}
