/**
 * Embeddings as files for other tools.
 *
 * - CSV: one row per image, header `index,split,label,class,f0,…,f{D−1}`; `index` is the dataset
 *   item, `label` −1 and `class` empty when unlabelled. Floats are written with 9 significant
 *   digits, enough to read back the exact float32.
 * - NPY: the features as one float32 C-order array [N, D] (NumPy's .npy v1.0, npy.ts) at PATH,
 *   plus `<stem>.labels.csv` beside it (`index,split,label,class`, row i describes row i of the
 *   array). A sidecar CSV rather than an .npz: np.load reads PATH directly, and the labels with
 *   their class names stay readable by any tool (pandas, a spreadsheet).
 * Rows come split by split, in the order given (train then test for `all`).
 */
import type { Control } from '../../core/control';
import { CancelledError } from '../../core/errors';
import type { Embeddings } from '../eval/embeddings';
import { OutputFile } from './files';
import { littleEndianBytes, npyHeader } from './npy';

/** An embeddings set of one split (the run and epoch are not written). */
export type EmbeddingRows = Omit<Embeddings, 'runId' | 'epoch'>;

export interface WrittenFiles {
  /** The main file (what the contract's WrittenFile names). */
  path: string;
  bytes: number;
  /** Every file written, the main one first. */
  files: { path: string; bytes: number }[];
}

const ROWS_PER_CHUNK = 512;

/** A CSV field: quoted when it holds a comma, quote or line break. */
export function csvField(s: string): string {
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

/**
 * 9 significant digits (enough to read back the same float32), trailing zeros dropped. Plain
 * toPrecision is 4× faster than formatting through Number, and as short for real features.
 */
export function formatFloat(v: number): string {
  const s = v.toPrecision(9);
  return s.charCodeAt(s.length - 1) === 48 && s.indexOf('e') < 0 && s.indexOf('.') >= 0 ? s.replace(/\.?0+$/, '') : s;
}

function checkParts(parts: EmbeddingRows[]): number {
  if (parts.length === 0) throw new Error('no embeddings to write');
  const dim = parts[0]!.dim;
  for (const p of parts) {
    if (p.dim !== dim) throw new Error(`embeddings of split ${p.split} have ${p.dim} dimensions, the others ${dim}`);
    if (p.features.length !== p.count * p.dim || p.indices.length !== p.count || p.labels.length !== p.count) {
      throw new Error(`embeddings of split ${p.split}: ${p.count} rows do not match the arrays' lengths`);
    }
  }
  return dim;
}

function labelCells(p: EmbeddingRows, i: number, classes: string[]): string {
  const label = p.labels[i]!;
  return `${p.indices[i]},${p.split},${label},${label >= 0 ? csvField(classes[label] ?? String(label)) : ''}`;
}

/** Writes rows chunk by chunk with progress, yielding to the event loop; aborts the file on error or cancel. */
async function writeRows(
  file: OutputFile,
  parts: EmbeddingRows[],
  ctl: Control,
  label: string,
  row: (p: EmbeddingRows, i: number) => string,
): Promise<void> {
  const total = parts.reduce((a, p) => a + p.count, 0);
  ctl.progress?.start(label, total, 'rows');
  let done = 0;
  try {
    for (const p of parts) {
      for (let start = 0; start < p.count; start += ROWS_PER_CHUNK) {
        if (ctl.signal?.aborted) throw new CancelledError();
        const end = Math.min(p.count, start + ROWS_PER_CHUNK);
        let text = '';
        for (let i = start; i < end; i++) text += `${row(p, i)}\n`;
        file.write(text);
        done += end - start;
        ctl.progress?.update(done);
        await new Promise((r) => setImmediate(r));
      }
    }
  } catch (err) {
    file.abort();
    throw err;
  }
  ctl.progress?.finish();
}

export async function writeEmbeddingsCsv(path: string, parts: EmbeddingRows[], classes: string[], ctl: Control = {}): Promise<WrittenFiles> {
  const dim = checkParts(parts);
  const file = new OutputFile(path, 'embeddings');
  file.write(`index,split,label,class${Array.from({ length: dim }, (_, j) => `,f${j}`).join('')}\n`);
  await writeRows(file, parts, ctl, 'write csv', (p, i) => {
    let s = labelCells(p, i, classes);
    const base = i * dim;
    for (let j = 0; j < dim; j++) s += `,${formatFloat(p.features[base + j]!)}`;
    return s;
  });
  const written = file.commit();
  return { ...written, files: [written] };
}

/** `<stem>.labels.csv` beside an .npy path. */
export function labelsPathFor(npyPath: string): string {
  return `${npyPath.replace(/\.npy$/i, '')}.labels.csv`;
}

export async function writeEmbeddingsNpy(path: string, parts: EmbeddingRows[], classes: string[], ctl: Control = {}): Promise<WrittenFiles> {
  const dim = checkParts(parts);
  const total = parts.reduce((a, p) => a + p.count, 0);
  const labels = new OutputFile(labelsPathFor(path), 'embedding labels');
  labels.write('index,split,label,class\n');
  await writeRows(labels, parts, ctl, 'write labels', (p, i) => labelCells(p, i, classes));
  const npy = new OutputFile(path, 'embeddings');
  try {
    npy.write(npyHeader('<f4', [total, dim]));
    for (const p of parts) {
      if (ctl.signal?.aborted) throw new CancelledError();
      npy.write(littleEndianBytes(p.features));
    }
  } catch (err) {
    npy.abort();
    labels.abort();
    throw err;
  }
  const main = npy.commit();
  const side = labels.commit();
  return { ...main, files: [main, side] };
}
