/**
 * Plain shapes that every layer shares: the store persists them, the tasks produce them and
 * the API contract carries them. Types only.
 */

export type Split = 'train' | 'test';

export type RunStatus = 'queued' | 'running' | 'completed' | 'failed' | 'cancelled' | 'interrupted';

/** One logged value of a training run. */
export interface MetricPoint {
  name: string;
  step: number;
  epoch: number;
  value: number;
  /** Seconds of training time at this point (the wall-clock axis of the curves). */
  wall: number;
}
