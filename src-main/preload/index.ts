// The preload exposes a narrow, typed API to the renderer; never ipcRenderer itself.
import { contextBridge } from 'electron';

contextBridge.exposeInMainWorld('pretext', {
  transport: 'ipc' as const,
  versions: { electron: process.versions.electron, chrome: process.versions.chrome },
});
