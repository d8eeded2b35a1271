/**
 * Progress of a long job, as every layer reports it: the CLI draws it on stderr
 * (cli/progress.ts), the engine turns it into job events. Library code only sees this interface.
 */
export interface ProgressSink {
  start(label: string, total: number, unit?: string): void;
  update(done: number, extra?: string): void;
  finish(extra?: string): void;
  log(message: string): void;
}

/** A sink that records nothing: for library calls without a terminal. */
export const silentProgress: ProgressSink = {
  start() {},
  update() {},
  finish() {},
  log() {},
};

/** Seconds as mm:ss or h:mm:ss; '--:--' when unknown. */
export function formatDuration(seconds: number): string {
  if (!Number.isFinite(seconds) || seconds < 0) return '--:--';
  const s = Math.round(seconds);
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const sec = s % 60;
  const mm = String(m).padStart(2, '0');
  const ss = String(sec).padStart(2, '0');
  return h > 0 ? `${h}:${mm}:${ss}` : `${mm}:${ss}`;
}
