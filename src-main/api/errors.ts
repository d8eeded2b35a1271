import type { ApiError } from './contract';
import { CancelledError, PretextError } from '../cli/errors';

/** An error the service answers with: the message names the input and the reason. */
export class ServiceError extends Error {
  constructor(
    message: string,
    readonly code: ApiError['code'] = 'bad-request',
  ) {
    super(message);
    this.name = 'ServiceError';
  }
}

export const notFound = (what: string) => new ServiceError(`${what} not found`, 'not-found');

/** Any thrown value as it crosses a transport. */
export function toApiError(err: unknown): ApiError {
  if (err instanceof ServiceError) return { message: err.message, code: err.code };
  if (err instanceof CancelledError) return { message: err.message, code: 'cancelled' };
  if (err instanceof PretextError) return { message: err.message, code: 'bad-request' };
  const e = err as Partial<ApiError> | null;
  if (e && typeof e.message === 'string' && typeof e.code === 'string') return { message: e.message, code: e.code as ApiError['code'] };
  return { message: (err as Error)?.message ?? String(err), code: 'internal' };
}

/** HTTP status of an ApiError code. */
export function httpStatus(code: ApiError['code']): number {
  switch (code) {
    case 'bad-request':
      return 400;
    case 'not-found':
      return 404;
    case 'cancelled':
      return 409;
    case 'engine-down':
      return 503;
    default:
      return 500;
  }
}
