/** Runs fn(0..n-1) with at most `concurrency` calls in flight; stops taking work when aborted. */
export async function forEachPool(n: number, concurrency: number, fn: (i: number) => Promise<void>, signal?: AbortSignal): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (!signal?.aborted) {
      const i = next++;
      if (i >= n) return;
      await fn(i);
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(concurrency, n)) }, worker));
}
