import { usageError } from '../errors';
import type { Command, CommandContext } from '../command';
import { PretextError } from '../../core/errors';

/** A benchmark module in src-main/bench/<name>.ts exports `run`. */
export interface BenchModule {
  run(args: string[], ctx: CommandContext): Promise<unknown>;
}

const benches: Record<string, () => Promise<BenchModule>> = {
  import: () => import('../../bench/import'),
  engine: () => import('../../bench/engine'),
  train: () => import('../../bench/train'),
  eval: () => import('../../bench/eval'),
  export: () => import('../../bench/export'),
  augment: () => import('../../bench/augment'),
  quality: () => import('../../bench/quality'),
  gpu: () => import('../../bench/gpu'),
};

const usage = `Usage: pretext bench ${Object.keys(benches).join('|')} [OPTIONS]
Prints throughput numbers; --json prints them as one object.`;

export const benchCommand: Command = {
  name: 'bench',
  summary: `${Object.keys(benches).join(' | ')} — measure throughput on this machine`,
  usage,
  async run(args, ctx) {
    const [which, ...rest] = args;
    const load = which && Object.hasOwn(benches, which) ? benches[which] : undefined;
    if (!load) throw usageError(`unknown benchmark '${which ?? ''}'\n${usage}`);
    return (await load()).run(rest, ctx);
  },
};
