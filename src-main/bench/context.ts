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
