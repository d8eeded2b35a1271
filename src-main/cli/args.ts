import { usageError } from './errors';
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { PretextError } from '../core/errors';

type Options = NonNullable<ParseArgsConfig['options']>;

/**
 * A command's options, strictly parsed; a bad option is a usage error (exit 2) with the usage.
 * Positional arguments are rejected unless `positionals` is set.
 */
export function parseCommandArgs<const O extends Options, const P extends boolean = false>(
  args: string[],
  options: O,
  usage: string,
  positionals?: P,
) {
  try {
    return parseArgs({ args, options, strict: true, allowPositionals: (positionals ?? false) as P });
  } catch (err) {
    throw usageError(`${(err as Error).message}\n${usage}`);
  }
}
