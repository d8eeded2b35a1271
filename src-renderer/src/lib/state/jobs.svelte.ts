/**
 * The jobs tray's state: every job the engine reports (job.progress / job.finished), newest
 * first, and a promise per job for the views that wait on one (an export, a projection).
 */
import type { ApiClient, JobInfo } from '../../../../src-main/api/contract';

export class JobsState {
  /** Finished jobs kept in the tray (the newest); running and queued ones are always kept. */
  static readonly KEEP_FINISHED = 20;
  /** Jobs by id, newest first. */
  list = $state<JobInfo[]>([]);
  private waiters = new Map<string, ((job: JobInfo) => void)[]>();
  private finished = new Map<string, JobInfo>();

  constructor(private readonly client: ApiClient | null) {}

  get running(): JobInfo[] {
    return this.list.filter((j) => j.status === 'running' || j.status === 'queued');
  }

  /** Subscribes to the job events and loads the current jobs; returns the unsubscribe. */
  connect(): () => void {
    if (!this.client) return () => {};
    const offs = [this.client.on('job.progress', (j) => this.upsert(j)), this.client.on('job.finished', (j) => this.upsert(j))];
    this.client.request('jobs.list', undefined).then(
      (jobs) => jobs.forEach((j) => this.upsert(j)),
      () => {},
    );
    return () => offs.forEach((off) => off());
  }

  upsert(job: JobInfo): void {
    const i = this.list.findIndex((j) => j.id === job.id);
    if (i >= 0) {
      // A late progress event must not reopen a finished job.
      const old = this.list[i]!;
      if (old.finishedAt && !job.finishedAt) return;
      this.list[i] = job;
    } else this.list = [job, ...this.list];
    if (job.finishedAt) this.capFinished();
    if (job.status === 'completed' || job.status === 'failed' || job.status === 'cancelled') {
      this.finished.set(job.id, job);
      for (const w of this.waiters.get(job.id) ?? []) w(job);
      this.waiters.delete(job.id);
    }
  }

  /** Resolves with the finished job (whatever its status). */
  waitFor(jobId: string): Promise<JobInfo> {
    const done = this.finished.get(jobId);
    if (done) return Promise.resolve(done);
    return new Promise((resolve) => {
      const ws = this.waiters.get(jobId) ?? [];
      ws.push(resolve);
      this.waiters.set(jobId, ws);
    });
  }

  /** The finished job's result, or an error with the job's own message. */
  async resultOf<T>(jobId: string): Promise<T> {
    const job = await this.waitFor(jobId);
    if (job.status !== 'completed') throw new Error(job.error ?? `${job.label}: ${job.status}`);
    return job.result as T;
  }

  async cancel(id: string): Promise<void> {
    await this.client?.request('jobs.cancel', { id });
  }

  /** Drops the jobs that finished earliest beyond KEEP_FINISHED. */
  private capFinished(): void {
    const done = this.list.filter((j) => j.finishedAt);
    if (done.length <= JobsState.KEEP_FINISHED) return;
    const keep = new Set(done.sort((a, b) => (a.finishedAt! < b.finishedAt! ? 1 : a.finishedAt! > b.finishedAt! ? -1 : 0)).slice(0, JobsState.KEEP_FINISHED));
    this.list = this.list.filter((j) => !j.finishedAt || keep.has(j));
  }

  dismissFinished(): void {
    this.list = this.list.filter((j) => !j.finishedAt);
  }
}
