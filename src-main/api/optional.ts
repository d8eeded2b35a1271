/**
 * Modules other engineers are still writing (evaluation, projection, export, report) are
 * loaded on first use; until one exists the request answers a clear ApiError instead of the
 * whole service failing to load.
 */
import { ServiceError } from './errors';

export async function optionalModule<T>(relative: string, what: string): Promise<T> {
  const url = new URL(relative, import.meta.url).href;
  try {
    return (await import(/* @vite-ignore */ url)) as T;
  } catch (err) {
    const code = (err as { code?: string }).code;
    if (code === 'ERR_MODULE_NOT_FOUND' || /Cannot find module/.test((err as Error).message)) {
      throw new ServiceError(`${what} is not available yet in this build`, 'internal');
    }
    throw err;
  }
}
