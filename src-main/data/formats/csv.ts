import { readFile } from 'node:fs/promises';
import { dirname, isAbsolute, resolve } from 'node:path';
import type { Split } from '../../core/types';
import { readImageFile } from './files';
import type { EncodedEntry, ImportFailure, Source } from '../types';

/** Parses CSV text (RFC 4180: quoted fields, doubled quotes, CRLF); rows of string cells. */
export function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let cell = '';
  let quoted = false;
  let i = 0;
  if (text.charCodeAt(0) === 0xfeff) i = 1; // BOM
  for (; i < text.length; i++) {
    const ch = text[i]!;
    if (quoted) {
      if (ch === '"') {
        if (text[i + 1] === '"') {
          cell += '"';
          i++;
        } else quoted = false;
      } else cell += ch;
    } else if (ch === '"' && cell === '') quoted = true;
    else if (ch === ',') {
      row.push(cell);
      cell = '';
    } else if (ch === '\n' || ch === '\r') {
      if (ch === '\r' && text[i + 1] === '\n') i++;
      row.push(cell);
      rows.push(row);
      row = [];
      cell = '';
    } else cell += ch;
  }
  if (quoted) throw new Error('unterminated quoted field');
  if (cell !== '' || row.length > 0) {
    row.push(cell);
    rows.push(row);
  }
  return rows.filter((r) => !(r.length === 1 && r[0]!.trim() === ''));
}

const SPLITS: Record<string, Split> = { train: 'train', training: 'train', test: 'test', testing: 'test', val: 'test', valid: 'test', validation: 'test' };
const PATH_HEADERS = ['path', 'file', 'filename', 'image', 'filepath'];

/**
 * A CSV manifest: path,label[,split] per row, paths relative to the CSV's folder (absolute
 * paths allowed). A header row is recognised by a cell named path, file, filename, image or
 * filepath, and may then name the columns in any order (label/class, split/set). An empty
 * label means unlabelled; val counts as test.
 */
export async function readCsv(path: string): Promise<Source> {
  let rows: string[][];
  try {
    rows = parseCsv(await readFile(path, 'utf8'));
  } catch (err) {
    throw new Error(`${path}: cannot read the CSV manifest (${(err as Error).message})`);
  }
  let cols = { path: 0, label: 1, split: 2 };
  let first = 0;
  const head = rows[0]?.map((c) => c.trim().toLowerCase());
  if (head && head.some((h) => PATH_HEADERS.includes(h))) {
    const find = (names: string[]) => head.findIndex((h) => names.includes(h));
    cols = { path: find(PATH_HEADERS), label: find(['label', 'class', 'category']), split: find(['split', 'set', 'subset']) };
    first = 1;
  }
  const base = dirname(path);
  const failures: ImportFailure[] = [];
  const entries: EncodedEntry[] = [];
  for (let r = first; r < rows.length; r++) {
    const row = rows[r]!;
    const file = row[cols.path]?.trim() ?? '';
    const where = `${path}:${r + 1}`;
    if (file === '') {
      failures.push({ file: where, reason: 'row has no path' });
      continue;
    }
    const label = cols.label >= 0 ? (row[cols.label]?.trim() ?? '') : '';
    const splitText = cols.split >= 0 ? (row[cols.split]?.trim().toLowerCase() ?? '') : '';
    const split = splitText === '' ? null : SPLITS[splitText];
    if (split === undefined) {
      failures.push({ file, reason: `${where}: unknown split '${splitText}' (use train, test or val)` });
      continue;
    }
    const abs = isAbsolute(file) ? file : resolve(base, file);
    entries.push({ kind: 'encoded', file, className: label === '' ? null : label, split, path: abs, read: () => readImageFile(abs) });
  }
  return { kind: 'csv', path, entries, failures, meta: { rows: rows.length - first } };
}
