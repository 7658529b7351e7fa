import { describe, expect, it } from '@jest/globals';
import { BatchQueue, QueueClosedError, QueueFullError, type BatchInfo } from './batch-queue.js';

interface Recorder {
  queue: BatchQueue<number, number>;
  runs: number[][];
  infos: BatchInfo[];
}

function recorder(options: { maxBatch?: number; maxDelayUs?: number; maxQueue?: number; runMs?: number; fail?: boolean } = {}): Recorder {
  const runs: number[][] = [];
  const infos: BatchInfo[] = [];
  const queue = new BatchQueue<number, number>({
    maxBatch: options.maxBatch ?? 8,
    maxDelayUs: options.maxDelayUs ?? 0,
    maxQueue: options.maxQueue ?? 100,
    run: async (items) => {
      runs.push([...items]);
      await new Promise((r) => setTimeout(r, options.runMs ?? 5));
      if (options.fail === true) throw new Error('model exploded');
      return items.map((x) => x * 10);
    },
    onBatch: (info) => { infos.push(info); },
  });
  return { queue, runs, infos };
}

describe('BatchQueue', () => {
  it('gathers items submitted together into one run and answers each in order', async () => {
    const { queue, runs, infos } = recorder();
    const answers = await Promise.all([queue.submit([1, 2]), queue.submit([3]), queue.submit([4, 5, 6])]);
    expect(answers).toEqual([[10, 20], [30], [40, 50, 60]]);
    expect(runs).toEqual([[1, 2, 3, 4, 5, 6]]);
    expect(infos.map((i) => i.size)).toEqual([6]);
    expect(infos[0]!.waitsMs).toHaveLength(6);
  });

  it('never runs more than maxBatch items at once', async () => {
    const { queue, runs } = recorder({ maxBatch: 4 });
    const answers = await queue.submit([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
    expect(answers).toEqual([10, 20, 30, 40, 50, 60, 70, 80, 90, 100]);
    expect(runs.map((r) => r.length)).toEqual([4, 4, 2]);
  });

  it('waits up to maxDelayUs for more items, then runs a partial batch', async () => {
    const { queue, runs } = recorder({ maxDelayUs: 40_000 });
    const first = queue.submit([1]);
    await new Promise((r) => setTimeout(r, 10));
    const second = queue.submit([2]);
    const started = performance.now();
    await Promise.all([first, second]);
    expect(runs).toEqual([[1, 2]]);
    expect(performance.now() - started).toBeGreaterThanOrEqual(15);
  });

  it('runs at once when the batch is full, without waiting for the delay', async () => {
    const { queue, runs } = recorder({ maxBatch: 2, maxDelayUs: 5_000_000 });
    const started = performance.now();
    await queue.submit([1, 2]);
    expect(performance.now() - started).toBeLessThan(1000);
    expect(runs).toEqual([[1, 2]]);
  });

  it('gathers what arrives while a batch runs into the next batch', async () => {
    const { queue, runs } = recorder({ runMs: 30 });
    const first = queue.submit([1]);
    await new Promise((r) => setTimeout(r, 5));
    const later = [queue.submit([2]), queue.submit([3]), queue.submit([4])];
    await Promise.all([first, ...later]);
    expect(runs).toEqual([[1], [2, 3, 4]]);
  });

  it('refuses a submission that would overflow the queue, as a whole', async () => {
    const { queue, runs } = recorder({ maxQueue: 4, maxDelayUs: 20_000 });
    const accepted = queue.submit([1, 2, 3]);
    await expect(queue.submit([4, 5])).rejects.toBeInstanceOf(QueueFullError);
    await expect(queue.submit([4, 5])).rejects.toThrow('inference queue is full (3 of 4 images waiting, 2 more requested); retry later');
    expect(queue.depth).toBe(3);
    await accepted;
    expect(runs).toEqual([[1, 2, 3]]);
  });

  it('rejects every item of a failed run, and keeps serving', async () => {
    const failing = recorder({ fail: true });
    await expect(Promise.all([failing.queue.submit([1]), failing.queue.submit([2])])).rejects.toThrow('model exploded');
    const { queue } = recorder();
    await expect(queue.submit([7])).resolves.toEqual([70]);
  });

  it('drains on close and refuses new items afterwards', async () => {
    const { queue, runs } = recorder({ maxDelayUs: 1_000_000 });
    const pending = queue.submit([1, 2]);
    await queue.close();
    await expect(pending).resolves.toEqual([10, 20]);
    expect(runs).toEqual([[1, 2]]);
    await expect(queue.submit([3])).rejects.toBeInstanceOf(QueueClosedError);
  });
});
