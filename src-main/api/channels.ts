/** IPC channel names between the preload and the Electron main process. */
export const IPC = {
  request: 'pretext:request',
  shell: 'pretext:shell',
  events: 'pretext:events',
  menu: 'pretext:menu',
} as const;
