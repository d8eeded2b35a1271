import { describe, expect, it } from 'vitest';
import type { JobInfo } from '../../src-main/api/contract';
import { CancelledError } from '../../src-main/core/errors';
import { JobQueue, PROGRESS_INTERVAL_MS } from '../../src-main/engine/jobs';

const tick = () => new Promise((r) => setImmediate(r));

function recorder() {
  const events: { event: string; info: JobInfo; at: number }[] = [];
  const q = new JobQueue((event, info) => events.push({ event, info, at: performance.now() }));
  const finished = (id: string) =>
    new Promise<JobInfo>((resolve) => {
      const poll = () => {
        const e = events.find((x) => x.event === 'job.finished' && x.info.id === id);
        if (e) resolve(e.info);
        else setTimeout(poll, 5);
      };
      poll();
    });
  return { q, events, finished };
}

describe('JobQueue', () => {
  it('throttles progress to one event per interval per job, keeps the last state, and estimates the ETA', async () => {
    const { q, events, finished } = recorder();
    const job = q.submit({ kind: 'embed', label: 'x' }, async ({ progress }) => {
      progress.start('counting', 300, 'item');
      const t0 = performance.now();
      for (let i = 1; i <= 300; i++) {
        progress.update(i, `at ${i}`);
        while (performance.now() - t0 < i * 2) await tick();
      }
      return 42;
    });
    const done = await finished(job.id);
    expect(done.status).toBe('completed');
    expect(done.result).toBe(42);
    // The job keeps its label; the stage the work announces ('counting') becomes its message.
    expect(done.label).toBe('x');
    expect(new Set(events.map((e) => e.info.label))).toEqual(new Set(['x']));
    const progress = events.filter((e) => e.event === 'job.progress');
    const gaps = progress.slice(1).map((e, i) => e.at - progress[i]!.at);
    // ~600 ms of updates → a handful of events, never two within the interval (timer slack aside).
    expect(progress.length).toBeLessThan(600 / PROGRESS_INTERVAL_MS + 4);
    expect(Math.min(...gaps.slice(2))).toBeGreaterThan(PROGRESS_INTERVAL_MS - 30);
    const withEta = progress.filter((e) => e.info.etaSeconds !== null && e.info.done < 300);
    expect(withEta.length).toBeGreaterThan(0);
    expect(withEta[0]!.info.etaSeconds!).toBeGreaterThan(0);
    expect(withEta[0]!.info.etaSeconds!).toBeLessThan(5);
  });

  it('runs training jobs one at a time, cancels a queued one without starting it, and reports failures', async () => {
    const { q, finished } = recorder();
    const order: string[] = [];
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    const a = q.submit({ kind: 'train', label: 'a', lane: 'train' }, async () => {
      order.push('a start');
      await gate;
      order.push('a end');
    });
    const b = q.submit({ kind: 'train', label: 'b', lane: 'train' }, async () => void order.push('b'));
    const c = q.submit({ kind: 'train', label: 'c', lane: 'train' }, async () => void order.push('c'));
    const free = q.submit({ kind: 'knn', label: 'free' }, async () => void order.push('free'));
    await finished(free.id);
    expect(q.get(b.id)!.status).toBe('queued');
    expect(q.cancel(b.id)).toBe(true);
    expect((await finished(b.id)).status).toBe('cancelled');
    release();
    await finished(c.id);
    expect(order).toEqual(['a start', 'free', 'a end', 'c']);
    expect((await finished(a.id)).status).toBe('completed');

    const bad = q.submit({ kind: 'probe', label: 'bad' }, async () => {
      throw new Error('probe: run-x has no checkpoint');
    });
    expect(await finished(bad.id)).toMatchObject({ status: 'failed', error: 'probe: run-x has no checkpoint' });
  });

  it('cancels a running job through its signal', async () => {
    const { q, finished } = recorder();
    const job = q.submit({ kind: 'project', label: 'long' }, async ({ signal }) => {
      for (;;) {
        if (signal.aborted) throw new CancelledError();
        await tick();
      }
    });
    await tick();
    expect(q.cancel(job.id)).toBe(true);
    expect((await finished(job.id)).status).toBe('cancelled');
    expect(q.cancel(job.id)).toBe(false);
    await q.idle();
  });

  it("keeps the stage as the message through updates without news ('decoding' stayed blank for an import's whole decode)", async () => {
    const { q, finished } = recorder();
    const seen: string[] = [];
    const job = q.submit({ kind: 'import', label: 'import pets' }, async ({ progress }) => {
      progress.start('decoding', 3, 'img');
      progress.update(1, '');
      seen.push(q.list().find((j) => j.label === 'import pets')!.message);
      progress.update(2);
      seen.push(q.list().find((j) => j.label === 'import pets')!.message);
      progress.update(3, '1 failed');
      seen.push(q.list().find((j) => j.label === 'import pets')!.message);
    });
    expect((await finished(job.id)).message).toBe('1 failed');
    expect(seen).toEqual(['decoding', 'decoding', '1 failed']);
  });
});
