/** An error meant for the user: the message names the input and the reason. */
export class PretextError extends Error {
  constructor(
    message: string,
    readonly exitCode = 1,
  ) {
    super(message);
    this.name = 'PretextError';
  }
}

/** Thrown when the user cancels a long job (Ctrl-C, or a cancel request). */
export class CancelledError extends Error {
  constructor(message = 'cancelled') {
    super(message);
    this.name = 'CancelledError';
  }
}

export function throwIfAborted(signal: AbortSignal | undefined): void {
  if (signal?.aborted) throw new CancelledError();
}
