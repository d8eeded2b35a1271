import { noSuch } from '../../core/errors';
import { usageError } from '../errors';
import { initBackend } from '../../ml/backend';
import { exportEmbeddings, exportEncoder, type EmbeddingSplit } from '../../tasks/export';
import { resolveRun } from '../../store/runs';
import { exportEmbeddingsOptions, exportEncoderOptions, exportRecipeOptions } from '../../api/schema/commands';
import { exportRecipe } from '../../tasks/recipe/export';
import { checkFlags, readFlags, synopses } from '../args';
import type { Command, CommandContext } from '../command';
import { PretextError, throwIfAborted } from '../../core/errors';

const usage = `Usage: pretext export encoder RUN ${synopses(exportEncoderOptions)}
       pretext export embeddings RUN ${synopses(exportEmbeddingsOptions)}
       pretext export recipe RUN ${synopses(exportRecipeOptions)}

encoder     the run's trained backbone (latest checkpoint, without the projector).
            tfjs: a folder with model.json + weights.bin (stock tf.layers, loadable with
            tf.loadLayersModel) and pretext.json (input size, channels, NHWC, the training
            normalisation mean/std, the run's config). onnx: one .onnx file (opset 13, input
            'image' NHWC float32, output 'features'); the same JSON in its metadata 'pretext'.
embeddings  backbone features of a split (default test; all = train then test) with each row's
            dataset index, split, label and class. csv: index,split,label,class,f0..fD-1.
            npy: float32 [N, D] at PATH plus <stem>.labels.csv beside it.
recipe      the run's method as a PyTorch DistributedDataParallel program (torch, torchvision,
            numpy): train.py and its modules, recipe.json (the resolved config), README.md with
            the commands (python train.py; torchrun --nproc_per_node=N train.py; several nodes;
            SLURM). Its results come back with pretext runs import DIR --dataset ID.
Default PATH: under the run's folder, runs/<id>/exports/. An existing folder as PATH takes the
default file name.`;

function parse(args: string[]) {
  return readFlags(args, [exportEncoderOptions, exportEmbeddingsOptions, exportRecipeOptions], usage, true);
}

async function prepare(ctx: CommandContext, ref: string | undefined): Promise<string> {
  if (!ref) throw usageError(`a run id is required\n${usage}`);
  const run = resolveRun(ctx.workspace(), ref);
  if (!run) throw noSuch('run', ref);
  const backend = await initBackend({ prefer: ctx.backend });
  for (const s of backend.skipped) ctx.progress.log(`backend ${s.name} unavailable: ${s.reason}`);
  throwIfAborted(ctx.signal);
  return run.id;
}

const RECIPE_ONLY = ['with-data', 'init-from-run'];
const misplaced = (flag: string) => (RECIPE_ONLY.includes(flag) ? `--${flag} applies to recipe only` : `--${flag} applies to embeddings only`);

function printFiles(ctx: CommandContext, files: { path: string; bytes: number }[]): void {
  for (const f of files) ctx.print(`wrote ${f.path} (${f.bytes.toLocaleString('en-US')} bytes)`);
}

export const exportCommand: Command = {
  name: 'export',
  summary: 'encoder RUN --format tfjs|onnx | embeddings RUN --format csv|npy | recipe RUN --out DIR — take results elsewhere',
  usage,
  async run(args, ctx) {
    const { flags, positionals } = parse(args);
    const [what, ref, ...extra] = positionals;
    if (extra.length > 0) throw usageError(`unexpected arguments: ${extra.join(' ')}\n${usage}`);
    const ctl = { signal: ctx.signal, progress: ctx.progress };
    switch (what) {
      case 'encoder': {
        const v = checkFlags(flags, exportEncoderOptions, usage, misplaced);
        const runId = await prepare(ctx, ref);
        const res = await exportEncoder(ctx.workspace(), runId, { format: v.format!, ...(v.out ? { out: v.out } : {}) }, ctl);
        printFiles(ctx, res.files);
        return res;
      }
      case 'embeddings': {
        const v = checkFlags(flags, exportEmbeddingsOptions, usage, misplaced);
        const split: EmbeddingSplit = v.split ?? 'test';
        const runId = await prepare(ctx, ref);
        const res = await exportEmbeddings(ctx.workspace(), runId, { format: v.format!, split, ...(v.out ? { out: v.out } : {}) }, ctl);
        printFiles(ctx, res.files);
        return res;
      }
      case 'recipe': {
        const v = checkFlags(flags, exportRecipeOptions, usage, misplaced);
        if (!ref) throw usageError(`a run id is required\n${usage}`);
        if (!v.out) throw usageError(`export recipe needs --out DIR\n${usage}`);
        const run = resolveRun(ctx.workspace(), ref);
        if (!run) throw noSuch('run', ref);
        await initBackend({ prefer: ctx.backend });
        const res = exportRecipe(ctx.workspace(), run.id, { out: v.out, withData: v.withData ?? false, initFromRun: v.initFromRun ?? false });
        printFiles(ctx, res.files);
        ctx.print(`next: cd ${res.dir} && torchrun --nproc_per_node=N train.py${v.withData ? '' : ' --data DIR'} --out results (README.md)`);
        return res;
      }
      default:
        throw usageError(`${what ? `unknown export '${what}'` : 'what to export is required'}: encoder, embeddings or recipe\n${usage}`);
    }
  },
};
