/** A decode failure with a reason meant for the user (the caller adds the file name). */
export class DecodeError extends Error {
  override name = 'DecodeError';
}
