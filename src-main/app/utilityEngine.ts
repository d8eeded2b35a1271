/**
 * Adapts an Electron UtilityProcess to the EngineHost's EngineProcess, as a pure module (no
 * Electron at run time) so tests check it without the Electron binary. Per Electron's API:
 * messages from the child arrive as the 'message' event's argument (the child posts them with
 * process.parentPort.postMessage); 'exit' comes once with the exit code, also after a V8 fatal
 * error, which is announced first as 'error' (type, location, report). An 'error' event
 * without a listener would throw in the main process and take the app down, so one is always
 * registered and its location becomes part of the exit reason.
 */
import type { EngineProcess } from '../engine/host';
import type { EngineIn, EngineOut } from '../engine/protocol';

/** The part of Electron's UtilityProcess that the engine host uses. */
export interface UtilityChild {
  readonly pid: number | undefined;
  postMessage(message: EngineIn): void;
  kill(): boolean;
  on(event: 'message', listener: (message: EngineOut) => void): unknown;
  on(event: 'error', listener: (type: string, location: string, report: string) => void): unknown;
  once(event: 'exit', listener: (code: number) => void): unknown;
}

export function engineFromUtility(child: UtilityChild): EngineProcess {
  let exited = false;
  let fatal: string | null = null;
  child.on('error', (type, location) => {
    fatal = `${type || 'fatal error'}${location ? ` at ${location}` : ''}`;
  });
  child.once('exit', () => {
    exited = true;
  });
  return {
    get pid() {
      return child.pid;
    },
    send: (m) => {
      // A child that just died is gone: the host fails its pending requests on 'exit'.
      if (!exited) child.postMessage(m);
    },
    onMessage: (l) => void child.on('message', (m) => l(m)),
    onExit: (l) => void child.once('exit', (code) => l(fatal ? `${fatal}, exit code ${code}` : `exit code ${code}`)),
    kill: () => void (exited || child.kill()),
  };
}
