import { usageError } from '../errors';
import type { Command } from '../command';
import { PretextError } from '../../core/errors';
import { BACKEND_ORDER, defaultThreads, initBackend, listBackends } from '../../ml/backend';

const usage = `Usage: pretext doctor [--json] [--backend NAME]
Lists every engine backend (${BACKEND_ORDER.join(' → ')}), whether it loaded and why not,
and the one that is chosen (--backend / PRETEXT_BACKEND first, then that order).`;

export const doctorCommand: Command = {
  name: 'doctor',
  summary: 'engine backends found, the one chosen and why, device, threads',
  usage,
  async run(args, ctx) {
    if (args.length > 0) throw usageError(`doctor: unexpected argument '${args[0]}'\n${usage}`);
    const threads = defaultThreads();
    // Each device asked itself (Dawn's warnings included): the reasons are what doctor is for.
    const backends = await listBackends({ threads, probe: true });
    // The real selection, honouring --backend, with its reasons.
    const chosen = await initBackend({ ...(ctx.backend ? { prefer: ctx.backend } : {}), threads });
    for (const b of backends) b.chosen = b.name === chosen.name;
    const lines = backends.map((b) => {
      const mark = b.chosen ? '*' : b.loaded ? '+' : '-';
      return `${mark} ${b.name.padEnd(10)} ${b.loaded ? `${b.version ?? ''}  ${b.device ?? ''}` : `unavailable: ${b.reason}`}`;
    });
    lines.push('', `chosen: ${chosen.name} ${chosen.version} (${chosen.forced ? 'forced by --backend/PRETEXT_BACKEND' : 'first in order that loads'})`);
    lines.push(`device: ${chosen.device}`);
    if (chosen.projectKernels.length) lines.push(`project kernels: ${chosen.projectKernels.join(', ')}`);
    for (const s of chosen.skipped) lines.push(`skipped ${s.name}: ${s.reason}`);
    lines.push('', 'GPU throughput (SimCLR, ResNet-18, batch 512): npm run bench:gpu');
    ctx.print(lines.join('\n'));
    return { backends, chosen };
  },
};
