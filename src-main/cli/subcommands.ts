/** Commands made of subcommands: `pretext NAME [SUB] [REF]` (datasets, runs). */
import type { Command, CommandContext } from './command';
import { usageError } from './errors';

/** The subcommand (undefined when none is named) and its one reference; more arguments are a usage error. */
export function subcommandArgs(args: string[], usage: string): { sub: string | undefined; ref: string | undefined } {
  const [sub, ref, ...extra] = args;
  if (extra.length > 0) throw usageError(`unexpected arguments: ${extra.join(' ')}\n${usage}`);
  return { sub, ref };
}

/** The reference a subcommand needs (`what` names it: "a dataset id"), or a usage error. */
export function requireRef(ref: string | undefined, what: string, usage: string): string {
  if (!ref) throw usageError(`${what} is required\n${usage}`);
  return ref;
}

export type Subcommand = (ref: string | undefined, ctx: CommandContext) => Promise<unknown>;

/** A command that dispatches to its subcommands by name; the first runs when none is named. */
export function subcommandsCommand(name: string, summary: string, usage: string, subcommands: [string, Subcommand][]): Command {
  const table = new Map(subcommands);
  return {
    name,
    summary,
    usage,
    async run(args, ctx) {
      const { sub, ref } = subcommandArgs(args, usage);
      const run = table.get(sub ?? subcommands[0]![0]);
      if (!run) throw usageError(`unknown subcommand '${name} ${sub}'\n${usage}`);
      return run(ref, ctx);
    },
  };
}
