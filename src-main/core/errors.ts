/**
 * The one error type of Pretext. Every layer throws a PretextError for a problem the user can
 * act on; its message names the input and the reason, in words that read the same in the
 * terminal and in the workbench. `code` is one of the API's error codes; each front end maps
 * it to its own form (the CLI to an exit code and a hint, the service to an HTTP status).
 */

/** The error codes that cross the API (ApiError['code']). */
export type ErrorCode = 'bad-request' | 'not-found' | 'cancelled' | 'engine-down' | 'internal';

/** What a not-found error was about, so that a front end can say where to look. */
export type Subject = 'run' | 'dataset' | 'job' | 'evaluation' | 'projection' | 'file';

export interface ErrorDetails {
  code?: ErrorCode;
  /** The request field or command-line option at fault (a usage error in the CLI). */
  field?: string;
  /** The kind of thing that was not found. */
  subject?: Subject;
}

export class PretextError extends Error {
  readonly code: ErrorCode;
  readonly field: string | undefined;
  readonly subject: Subject | undefined;

  constructor(message: string, details: ErrorDetails = {}) {
    super(message);
    this.name = 'PretextError';
    this.code = details.code ?? 'bad-request';
    this.field = details.field;
    this.subject = details.subject;
  }
}

/** Thrown when the user cancels a long job (Ctrl-C, or a cancel request). */
export class CancelledError extends PretextError {
  constructor(message = 'cancelled') {
    super(message, { code: 'cancelled' });
    this.name = 'CancelledError';
  }
}

/** `what` (e.g. "run 'abc'") does not exist. */
export function notFound(what: string, subject?: Subject): PretextError {
  return new PretextError(`${what} not found`, { code: 'not-found', subject });
}

export function throwIfAborted(signal: AbortSignal | undefined): void {
  if (signal?.aborted) throw new CancelledError();
}

/** "no run 'abc'": a reference the user gave that names nothing. The CLI adds where it looked. */
export function noSuch(subject: Subject, ref: string): PretextError {
  return new PretextError(`no ${subject} '${ref}'`, { code: 'not-found', subject });
}
