import { parseArgs, type ParseArgsConfig } from 'node:util';
import { PretextError } from '../core/errors';
import type { ProgressSink } from '../core/progress';

/**
 * What a benchmark receives from `pretext bench`: the global options, progress, cancel and
 * output. The CLI's BenchContext satisfies it; the benches need nothing else of the CLI.
 */
export interface BenchContext {
  /** Workspace folder: where a bench that writes a report puts it (bench/). */
  workspaceDir: string;
  /** Forced engine backend (--backend or PRETEXT_BACKEND), if any. */
  backend: string | undefined;
  json: boolean;
  progress: ProgressSink;
  /** Aborted on Ctrl-C. */
  signal: AbortSignal;
  /** Human-readable output (stdout, suppressed under --json). */
  print(text: string): void;
}

type Options = NonNullable<ParseArgsConfig['options']>;

/**
 * A benchmark's options, strictly parsed (no positionals); a bad option is a usage error naming
 * the problem, followed by `usage` (`prefix` goes before the message).
 */
export function benchArgs<const O extends Options>(args: string[], options: O, usage: string, prefix = '') {
  try {
    return parseArgs({ args, options, strict: true }).values;
  } catch (err) {
    throw new PretextError(`${prefix}${(err as Error).message}\n${usage}`, { field: 'usage' });
  }
}
