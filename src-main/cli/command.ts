import type { Workspace } from '../store/workspace';
import type { ProgressSink } from '../core/progress';

/** What every command receives: global options, the progress sink and the cancel signal. */
export interface CommandContext {
  /** Workspace folder (from --workspace, PRETEXT_WORKSPACE or the OS default). */
  workspaceDir: string;
  /** Opens the workspace on first use; closed by the CLI when the command ends. */
  workspace(): Workspace;
  /** Forced engine backend (--backend or PRETEXT_BACKEND), if any. */
  backend: string | undefined;
  json: boolean;
  progress: ProgressSink;
  /** Aborted on Ctrl-C; long jobs check it and throw CancelledError. */
  signal: AbortSignal;
  /** Human-readable output (stdout, suppressed under --json). */
  print(text: string): void;
}

export interface Command {
  name: string;
  /** One line for `pretext --help`. */
  summary: string;
  /** Usage lines for `pretext COMMAND --help`. */
  usage: string;
  /** Returns the JSON result; prints its human form through ctx.print. */
  run(args: string[], ctx: CommandContext): Promise<unknown>;
}
