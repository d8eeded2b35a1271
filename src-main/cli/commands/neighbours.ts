/**
 * `pretext neighbours RUN [RUN...] --image INDEX | --file FILE [--k 8]`: the top-k nearest
 * neighbours of one image in each run's embeddings (cosine similarity of backbone features,
 * the whole dataset searched, the query left out), with labels and the agreement with the
 * query's label per run. Embeddings missing from the workspace are computed and cached first.
 */
import { noSuch } from '../../core/errors';
import type { NeighboursResult } from '../../core/types';
import { initBackend } from '../../ml/backend';
import { neighboursRequest } from '../../api/schema/requests';
import { resolveRun } from '../../store/runs';
import { neighbours, type NeighbourQuery } from '../../tasks/neighbours';
import { usageError } from '../errors';
import { flagLines, parseOptions, synopses } from '../args';
import type { Command, CommandContext } from '../command';

const options = neighboursRequest.omit({ runIds: true });

const usage = `Usage: pretext neighbours RUN [RUN...] ${synopses(options)}

The k images most similar to the query (cosine similarity of the backbone features at each
run's latest checkpoint) among the other images of the runs' dataset (train and test splits),
one table per run, and how many share the query's label. The runs must share one dataset.
The query is a dataset image (--image INDEX) or an image file (--file FILE, decoded and
resized like an import, embedded by each run's encoder).
${flagLines(options)}`;

function printResult(r: NeighboursResult, ctx: CommandContext): void {
  const q = r.query;
  ctx.print(q.index !== null ? `query: image ${q.index} (${q.split}, ${q.className ?? 'unlabelled'})` : `query: file ${q.file}`);
  for (const run of r.runs) {
    ctx.print(`\n${run.runId}  ${run.method}  epoch ${run.epoch}`);
    const head = ['rank', 'index', 'similarity', 'label'];
    const body = run.neighbours.map((n) => [String(n.rank), String(n.index), n.similarity.toFixed(4), n.className ?? '—']);
    const widths = head.map((h, i) => Math.max(h.length, ...body.map((b) => b[i]!.length)));
    for (const line of [head, ...body]) ctx.print(`  ${line.map((c, i) => c.padEnd(widths[i]!)).join('  ').trimEnd()}`);
    if (run.matches !== null) ctx.print(`  agreement: ${run.matches}/${run.neighbours.length} share the query's label (${(100 * (run.agreement ?? 0)).toFixed(1)} %)`);
  }
}

/** The query the flags name: exactly one of --image and --file. */
function queryOf(o: { index?: number; path?: string }): NeighbourQuery {
  if (o.index !== undefined && o.path === undefined) return { index: o.index };
  if (o.path !== undefined && o.index === undefined) return { file: o.path };
  throw usageError(`give the query: --image INDEX or --file FILE\n${usage}`, o.index === undefined ? '--image' : '--file');
}

export const neighboursCommand: Command = {
  name: 'neighbours',
  summary: 'RUN [RUN...] --image INDEX — nearest neighbours of an image in each run’s embeddings',
  usage,
  async run(args, ctx) {
    const parsed = parseOptions(args, options, usage, true);
    if (parsed.positionals.length === 0) throw usageError(`at least one run id is required\n${usage}`);
    const query = queryOf(parsed.values);
    const ws = ctx.workspace();
    const runIds = parsed.positionals.map((ref) => resolveRun(ws, ref)?.id ?? (() => { throw noSuch('run', ref); })());
    const backend = await initBackend({ prefer: ctx.backend });
    ctx.progress.log(`backend: ${backend.name} (${backend.device})`);
    const r = await neighbours(ws, runIds, query, parsed.values.k ?? 8, { signal: ctx.signal, progress: ctx.progress });
    printResult(r, ctx);
    return r;
  },
};
