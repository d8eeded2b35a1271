/**
 * How the CLI words an error and which exit code it gives: 130 when cancelled, 2 for a usage
 * error (a bad or missing option), 1 for any other error. A not-found error gets a hint of the
 * command that lists what exists.
 */
import { CancelledError, PretextError, type Subject } from '../core/errors';

/** A bad or missing command-line option: exit 2. */
export function usageError(message: string, field = 'usage'): PretextError {
  return new PretextError(message, { field });
}

export function exitCode(err: unknown): number {
  if (err instanceof CancelledError) return 130;
  if (err instanceof PretextError) return err.field !== undefined ? 2 : 1;
  return 1;
}

const HINTS: Partial<Record<Subject, string>> = {
  run: "see 'pretext runs list'",
  dataset: "see 'pretext datasets list'",
};

/** The message the terminal shows. */
export function cliMessage(err: unknown, workspaceDir?: string): string {
  if (!(err instanceof Error)) return String(err);
  if (err instanceof PretextError && err.code === 'not-found' && err.subject) {
    const where = workspaceDir ? ` in workspace ${workspaceDir}` : '';
    const hint = HINTS[err.subject];
    return `${err.message}${where}${hint ? ` (${hint})` : ''}`;
  }
  return err.message;
}
