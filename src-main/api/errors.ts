import type { ApiError } from './contract';
import { PretextError } from '../core/errors';

/** Any thrown value as it crosses a transport. */
export function toApiError(err: unknown): ApiError {
  if (err instanceof PretextError) return { message: err.message, code: err.code, ...(err.field ? { field: err.field } : {}) };
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
