/**
 * Schema migrations, applied in order on open inside one transaction each. Append new
 * migrations; never edit one that has shipped. `schema_version` records what was applied.
 */
export interface Migration {
  version: number;
  name: string;
  sql: string;
}

export const migrations: Migration[] = [
  {
    version: 1,
    name: 'datasets, classes, items, import failures',
    sql: `
      CREATE TABLE datasets (
        id          TEXT PRIMARY KEY,
        name        TEXT NOT NULL,
        source      TEXT NOT NULL,
        source_kind TEXT NOT NULL,
        fingerprint TEXT NOT NULL UNIQUE,
        image_size  INTEGER NOT NULL CHECK (image_size > 0),
        channels    INTEGER NOT NULL CHECK (channels IN (1, 3)),
        num_items   INTEGER NOT NULL CHECK (num_items >= 0),
        pixels_file TEXT NOT NULL,
        created_at  TEXT NOT NULL,
        meta        TEXT NOT NULL DEFAULT '{}'
      );
      CREATE TABLE classes (
        dataset_id TEXT NOT NULL REFERENCES datasets(id) ON DELETE CASCADE,
        idx        INTEGER NOT NULL,
        name       TEXT NOT NULL,
        PRIMARY KEY (dataset_id, idx)
      );
      CREATE TABLE items (
        dataset_id   TEXT NOT NULL REFERENCES datasets(id) ON DELETE CASCADE,
        idx          INTEGER NOT NULL,
        source_path  TEXT NOT NULL,
        label        INTEGER,
        split        TEXT NOT NULL CHECK (split IN ('train', 'test')),
        content_hash TEXT NOT NULL,
        PRIMARY KEY (dataset_id, idx)
      );
      CREATE INDEX items_by_split ON items (dataset_id, split);
      CREATE TABLE import_failures (
        dataset_id TEXT NOT NULL REFERENCES datasets(id) ON DELETE CASCADE,
        file       TEXT NOT NULL,
        reason     TEXT NOT NULL
      );
    `,
  },
  {
    version: 2,
    name: 'runs, metrics, checkpoints',
    sql: `
      CREATE TABLE runs (
        id            TEXT PRIMARY KEY,
        dataset_id    TEXT NOT NULL REFERENCES datasets(id) ON DELETE RESTRICT,
        method        TEXT NOT NULL,
        config        TEXT NOT NULL,
        backend       TEXT,
        backend_info  TEXT NOT NULL DEFAULT '{}',
        status        TEXT NOT NULL CHECK (status IN ('queued', 'running', 'completed', 'failed', 'cancelled', 'interrupted')),
        epochs_done   INTEGER NOT NULL DEFAULT 0,
        steps_done    INTEGER NOT NULL DEFAULT 0,
        train_seconds REAL NOT NULL DEFAULT 0,
        created_at    TEXT NOT NULL,
        started_at    TEXT,
        finished_at   TEXT,
        error         TEXT,
        pid           INTEGER
      );
      CREATE INDEX runs_by_dataset ON runs (dataset_id);
      CREATE TABLE metrics (
        run_id TEXT NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
        name   TEXT NOT NULL,
        step   INTEGER NOT NULL,
        epoch  INTEGER NOT NULL,
        value  REAL NOT NULL,
        wall   REAL NOT NULL,
        PRIMARY KEY (run_id, name, step)
      );
      CREATE TABLE checkpoints (
        run_id     TEXT NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
        epoch      INTEGER NOT NULL,
        step       INTEGER NOT NULL,
        path       TEXT NOT NULL,
        created_at TEXT NOT NULL,
        PRIMARY KEY (run_id, epoch)
      );
    `,
  },
  {
    version: 3,
    name: 'embeddings cache, evaluations, projections',
    sql: `
      CREATE TABLE embeddings (
        run_id     TEXT NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
        epoch      INTEGER NOT NULL,
        split      TEXT NOT NULL CHECK (split IN ('train', 'test')),
        dim        INTEGER NOT NULL,
        count      INTEGER NOT NULL,
        path       TEXT NOT NULL,
        seconds    REAL NOT NULL,
        created_at TEXT NOT NULL,
        PRIMARY KEY (run_id, epoch, split)
      );
      CREATE TABLE evaluations (
        id         TEXT PRIMARY KEY,
        run_id     TEXT NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
        epoch      INTEGER NOT NULL,
        kind       TEXT NOT NULL,
        params     TEXT NOT NULL,
        result     TEXT NOT NULL,
        created_at TEXT NOT NULL
      );
      CREATE INDEX evaluations_by_run ON evaluations (run_id, kind);
      CREATE TABLE projections (
        run_id     TEXT NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
        epoch      INTEGER NOT NULL,
        split      TEXT NOT NULL CHECK (split IN ('train', 'test')),
        algo       TEXT NOT NULL,
        params     TEXT NOT NULL,
        path       TEXT NOT NULL,
        quality    TEXT NOT NULL,
        seconds    REAL NOT NULL,
        created_at TEXT NOT NULL,
        PRIMARY KEY (run_id, epoch, split, algo)
      );
    `,
  },
  {
    version: 4,
    name: 'runs: model info (parameter counts, feature dimension)',
    sql: `ALTER TABLE runs ADD COLUMN model_info TEXT NOT NULL DEFAULT '{}';`,
  },
  {
    version: 5,
    name: 'runs: group (a comparison, its seeds and sweep), sweep value, tags, notes',
    sql: `
      ALTER TABLE runs ADD COLUMN group_id TEXT;
      ALTER TABLE runs ADD COLUMN sweep TEXT;
      ALTER TABLE runs ADD COLUMN tags TEXT NOT NULL DEFAULT '[]';
      ALTER TABLE runs ADD COLUMN notes TEXT NOT NULL DEFAULT '';
      CREATE INDEX runs_by_group ON runs (group_id);
    `,
  },
];
