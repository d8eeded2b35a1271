/**
 * The engine's job queue: long work (import, training, evaluation, projection, export, report)
 * answers at once with a job id and reports progress with an ETA. Training jobs run one at a
 * time (the 'train' lane, first come first served); other jobs start at once. Each job has its
 * own AbortController: cancel aborts it and the job throws CancelledError at its next check.
 */
import { randomBytes } from 'node:crypto';
import type { JobInfo, JobKind } from '../api/contract';
import { CancelledError } from '../core/errors';
import type { Control } from '../core/control';
import type { ProgressSink } from '../core/progress';

/** A job's cancel signal and progress sink: core's Control, both always present. */
export type JobCtl = Required<Control>;

export interface JobSpec {
  kind: JobKind;
  label: string;
  runId?: string;
  datasetId?: string;
  /** 'train' jobs wait for each other; 'free' jobs start at once. */
  lane?: 'train' | 'free';
}

export type JobEmitter = (event: 'job.progress' | 'job.finished', info: JobInfo) => void;

/** Progress events of one job are sent at most this often. */
export const PROGRESS_INTERVAL_MS = 250;

interface Job {
  info: JobInfo;
  controller: AbortController;
  run: () => Promise<void>;
  startedMs: number;
  startDone: number;
  lastSent: number;
  timer: ReturnType<typeof setTimeout> | null;
}

export class JobQueue {
  private readonly jobs = new Map<string, Job>();
  private readonly trainQueue: Job[] = [];
  private training: Job | null = null;
  private readonly running = new Set<Promise<void>>();

  constructor(
    private readonly emit: JobEmitter,
    /** Finished jobs kept for jobs.list. */
    private readonly keep = 200,
  ) {}

  submit(spec: JobSpec, fn: (ctl: JobCtl) => Promise<unknown>): JobInfo {
    const id = `job-${randomBytes(4).toString('hex')}`;
    const info: JobInfo = {
      id,
      kind: spec.kind,
      label: spec.label,
      status: 'queued',
      ...(spec.runId ? { runId: spec.runId } : {}),
      ...(spec.datasetId ? { datasetId: spec.datasetId } : {}),
      done: 0,
      total: 0,
      unit: '',
      etaSeconds: null,
      message: '',
      startedAt: null,
      finishedAt: null,
      error: null,
    };
    const controller = new AbortController();
    const job: Job = { info, controller, startedMs: 0, startDone: 0, lastSent: 0, timer: null, run: async () => {} };
    job.run = async () => {
      info.status = 'running';
      info.startedAt = new Date().toISOString();
      job.startedMs = performance.now();
      this.send(job, true);
      try {
        if (controller.signal.aborted) throw new CancelledError();
        info.result = await fn({ signal: controller.signal, progress: this.sink(job) });
        info.status = 'completed';
      } catch (err) {
        if (err instanceof CancelledError || controller.signal.aborted) info.status = 'cancelled';
        else {
          info.status = 'failed';
          info.error = (err as Error).message ?? String(err);
        }
      }
      info.finishedAt = new Date().toISOString();
      info.etaSeconds = null;
      if (job.timer) clearTimeout(job.timer);
      job.timer = null;
      this.emit('job.finished', { ...info });
      this.prune();
    };
    this.jobs.set(id, job);
    if (spec.lane === 'train') {
      this.trainQueue.push(job);
      this.emit('job.progress', { ...info });
      this.pump();
    } else this.start(job);
    return { ...info };
  }

  get(id: string): JobInfo | undefined {
    const j = this.jobs.get(id);
    return j && { ...j.info };
  }

  list(): JobInfo[] {
    return [...this.jobs.values()].map((j) => ({ ...j.info }));
  }

  /** Aborts a queued or running job; false when it is unknown or already over. */
  cancel(id: string): boolean {
    const job = this.jobs.get(id);
    if (!job || (job.info.status !== 'queued' && job.info.status !== 'running')) return false;
    job.controller.abort();
    const q = this.trainQueue.indexOf(job);
    if (q >= 0) {
      // Never started: finish it here.
      this.trainQueue.splice(q, 1);
      job.info.status = 'cancelled';
      job.info.finishedAt = new Date().toISOString();
      this.emit('job.finished', { ...job.info });
    }
    return true;
  }

  /** Cancels everything and waits for the running jobs to stop. */
  async close(): Promise<void> {
    for (const j of this.jobs.values()) this.cancel(j.info.id);
    await this.idle();
  }

  /** Resolves when no job is running or queued. */
  async idle(): Promise<void> {
    while (this.running.size > 0) await Promise.allSettled([...this.running]);
  }

  private start(job: Job): void {
    const p = job.run().finally(() => {
      this.running.delete(p);
      if (this.training === job) {
        this.training = null;
        this.pump();
      }
    });
    this.running.add(p);
  }

  private pump(): void {
    if (this.training) return;
    const next = this.trainQueue.shift();
    if (!next) return;
    this.training = next;
    this.start(next);
  }

  private prune(): void {
    const over = [...this.jobs.values()].filter((j) => j.info.finishedAt !== null);
    for (const j of over.slice(0, Math.max(0, over.length - this.keep))) this.jobs.delete(j.info.id);
  }

  /** The job's ProgressSink: fills done/total/ETA and sends throttled job.progress events. */
  private sink(job: Job): ProgressSink {
    const info = job.info;
    return {
      start: (label, total, unit = 'it') => {
        // The job keeps its own label ("import pets"); a stage ("decoding") is its message.
        if (label) info.message = label;
        info.total = total;
        info.unit = unit;
        info.done = 0;
        info.etaSeconds = null;
        job.startedMs = performance.now();
        job.startDone = 0;
        this.send(job, true);
      },
      update: (done, extra) => {
        info.done = done;
        // An update with nothing to add ('') keeps the stage ('decoding') as the message.
        if (extra) info.message = extra;
        const elapsed = (performance.now() - job.startedMs) / 1000;
        const rate = elapsed > 0 ? (done - job.startDone) / elapsed : 0;
        info.etaSeconds = rate > 0 && info.total > 0 ? Math.max(0, (info.total - done) / rate) : null;
        this.send(job, false);
      },
      finish: (extra) => {
        info.done = Math.max(info.done, info.total);
        info.etaSeconds = 0;
        if (extra) info.message = extra;
        this.send(job, true);
      },
      log: (message) => {
        info.message = message;
        this.send(job, false);
      },
    };
  }

  /** At most one job.progress per PROGRESS_INTERVAL_MS per job; the last state is never lost. */
  private send(job: Job, _force: boolean): void {
    if (job.info.finishedAt !== null) return;
    const now = performance.now();
    const wait = PROGRESS_INTERVAL_MS - (now - job.lastSent);
    if (wait <= 0) {
      // A trailing send that is due but has not run yet would repeat this one.
      if (job.timer) clearTimeout(job.timer);
      job.timer = null;
      job.lastSent = now;
      this.emit('job.progress', { ...job.info });
      return;
    }
    if (job.timer) return;
    job.timer = setTimeout(() => {
      job.timer = null;
      if (job.info.finishedAt !== null) return;
      job.lastSent = performance.now();
      this.emit('job.progress', { ...job.info });
    }, wait);
  }
}
