/**
 * Nearest-neighbour retrieval by cosine similarity: the k rows of a bank most similar to a
 * query vector (ties: the lower row first), optionally leaving one row out (the query itself
 * when it is in the bank). Pure arrays: one pass over the bank, a bounded selection.
 */

export interface Retrieved {
  /** Bank rows, most similar first. */
  rows: number[];
  /** Their cosine similarities, in [−1, 1]. */
  similarities: number[];
}

function norm(x: Float32Array, start: number, dim: number): number {
  let s = 0;
  for (let j = 0; j < dim; j++) s += x[start + j]! * x[start + j]!;
  return Math.sqrt(s);
}

/**
 * The `k` rows of `bank` (n × dim, row-major) most similar to `query` (dim values) by cosine
 * similarity; `exclude` is a row left out. A zero vector has similarity 0 to everything.
 */
export function cosineTopK(bank: Float32Array, dim: number, query: Float32Array, k: number, exclude = -1): Retrieved {
  if (query.length !== dim || bank.length % dim !== 0) throw new Error(`retrieval: a query of ${query.length} values against rows of ${dim}`);
  if (!Number.isInteger(k) || k < 1) throw new Error(`retrieval: k must be a positive integer, got ${k}`);
  const n = bank.length / dim;
  const qn = norm(query, 0, dim);
  const best: { row: number; s: number }[] = [];
  for (let i = 0; i < n; i++) {
    if (i === exclude) continue;
    const o = i * dim;
    let dot = 0;
    for (let j = 0; j < dim; j++) dot += bank[o + j]! * query[j]!;
    const denom = qn * norm(bank, o, dim);
    const s = denom > 0 ? dot / denom : 0;
    if (best.length === k && s <= best[k - 1]!.s) continue;
    // Insert in order (k is small: at most 100).
    let at = best.length;
    while (at > 0 && best[at - 1]!.s < s) at--;
    best.splice(at, 0, { row: i, s });
    if (best.length > k) best.pop();
  }
  return { rows: best.map((b) => b.row), similarities: best.map((b) => b.s) };
}
