import type { ApiError } from '../../../../src-main/api/contract';

/** An ApiError as the client throws it: `err.code` says what kind, the message says why. */
export class ApiRequestError extends Error implements ApiError {
  constructor(
    message: string,
    readonly code: ApiError['code'],
  ) {
    super(message);
    this.name = 'ApiRequestError';
  }
}

export function toApiError(value: unknown, fallback: string): ApiRequestError {
  const e = value as Partial<ApiError> | null;
  if (e && typeof e.message === 'string') return new ApiRequestError(e.message, e.code ?? 'internal');
  return new ApiRequestError(fallback, 'internal');
}
