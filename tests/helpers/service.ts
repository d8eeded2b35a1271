import { join } from 'node:path';
import { createService, type Service, type ServiceOptions } from '../../src-main/api/service';
import { Workspace } from '../../src-main/store/workspace';
import { makeTempDir } from './tmp';

/** A temp folder, a workspace in it (ws/) and the real API service over it, on the cpu backend. */
export interface ServiceTest {
  tmp: ReturnType<typeof makeTempDir>;
  ws: Workspace;
  service: Service;
}

/** Opens a ServiceTest; `options` gets the temp folder (e.g. to name it a data root). Close it with closeServiceTest. */
export function openServiceTest(options: (tmpDir: string) => ServiceOptions = () => ({})): ServiceTest {
  const tmp = makeTempDir();
  const ws = Workspace.open(join(tmp.dir, 'ws'));
  return { tmp, ws, service: createService(ws, { backend: 'cpu', ...options(tmp.dir) }) };
}

/** Stops the service (and its children), closes the workspace and removes the temp folder. */
export async function closeServiceTest(t: ServiceTest): Promise<void> {
  await t.service.close();
  t.ws.close();
  t.tmp.cleanup();
}
