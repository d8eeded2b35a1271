import { usageError } from '../errors';
import { writeReport } from '../../tasks/report';
import { reportOptions } from '../../api/schema/commands';
import { parseOptions, synopses } from '../args';
import type { Command } from '../command';
import { PretextError } from '../../core/errors';

const usage = `Usage: pretext report RUN... ${synopses(reportOptions)}

One self-contained HTML file comparing the runs (plotly.js inlined; opens offline): a metrics
table (method, epochs, backend, train time, final loss, kNN top-1, probe top-1 per label
fraction, effective rank, random-init baselines when evaluated), overlaid loss and kNN curves,
the stored 2-D maps (pretext project) and the configuration keys that differ.
Default FILE: runs/<first run>/exports/report-<runs>.html; an existing folder takes that name.`;

export const reportCommand: Command = {
  name: 'report',
  summary: 'RUN... --out FILE.html — self-contained HTML comparison report',
  usage,
  async run(args, ctx) {
    const { values, positionals } = parseOptions(args, reportOptions, usage, true);
    if (positionals.length === 0) throw usageError(`at least one run id is required\n${usage}`);
    const res = await writeReport(ctx.workspace(), positionals, values.out, { signal: ctx.signal, progress: ctx.progress });
    ctx.print(`wrote ${res.path} (${res.bytes.toLocaleString('en-US')} bytes)`);
    return res;
  },
};
