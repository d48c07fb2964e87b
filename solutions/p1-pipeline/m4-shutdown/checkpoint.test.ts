import { describe, expect, test } from 'vitest';
import { channel } from '#kit/channel.ts';
import { type JoinHandle, sleepAsync, spawn } from '#kit/thread.ts';
import { collectingWorker, countingWorker, pollingWorker, stuckWorker, summingWorker } from './checkpoint-threads.ts';
import { ShutdownCoordinator, shutdownWithGrace } from './shutdown.ts';

/** A worker's result; it must come within 5 s of the signal (a worker still running then missed it). */
async function joined<R>(worker: JoinHandle<R>): Promise<R> {
  const result = await worker.joinTimeoutAsync(5000);
  if (result.ok) return result.value;
  await worker.terminate();
  throw new Error(`worker '${worker.thread.name}' was still running 5 s after it should have stopped`);
}

describe('p1/m4: graceful shutdown', () => {
  test('a worker stops on the shutdown signal after counting what was sent first (test_shutdown_signal)', async () => {
    const [shutdownTx, shutdownRx] = channel<null>();
    const [dataTx, dataRx] = channel<number>();
    const handle = spawn(countingWorker, dataRx, shutdownRx);
    dataTx.send(1);
    dataTx.send(2);
    shutdownTx.send(null);
    expect(await handle.joinAsync()).toBe(2);
    // The data sender is still open: the worker stopped because of the signal, not because data ended.
    expect(dataTx.isDisconnected).toBe(true);
  });

  test('closing the data channel drains every queued message (test_drain_on_shutdown)', async () => {
    const [tx, rx] = channel<number>();
    for (let i = 0; i < 10; i++) tx.send(i);
    tx.close();
    const [signalTx, neverSignalled] = channel<null>();
    expect(await joined(spawn(collectingWorker, rx, neverSignalled))).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    signalTx.close();
  });

  test('the coordinator broadcasts to every registered worker and raises the flag', async () => {
    const coordinator = new ShutdownCoordinator();
    const workers = [0, 1, 2].map(() => {
      const { signal } = coordinator.registerWorker();
      const [, dataRx] = channel<number>();
      return spawn(countingWorker, dataRx, signal);
    });
    const poller = spawn(pollingWorker, coordinator.registerWorker().flag);
    expect(coordinator.isShuttingDown).toBe(false);
    coordinator.shutdown();
    coordinator.shutdown();
    expect(coordinator.isShuttingDown).toBe(true);
    for (const worker of workers) expect(await joined(worker)).toBe(0);
    expect(await joined(poller)).toBeGreaterThanOrEqual(0);
  });

  test('shutdown in mid-stream loses nothing that was accepted', async () => {
    const coordinator = new ShutdownCoordinator();
    const [dataTx, dataRx] = channel<number>();
    const leftOverRx = dataRx.clone(); // to look at what is still queued once the worker has stopped
    const worker = spawn(summingWorker, dataRx, coordinator.registerWorker().signal, 0);
    let sent = 0;
    let expectedSum = 0;
    for (let i = 1; i <= 20_000; i++) {
      dataTx.send(i);
      sent++;
      expectedSum += i;
      if (i === 12_345) coordinator.shutdown();
      if (coordinator.isShuttingDown && i >= 12_345 + 100) break;
    }
    const { count, sum } = await worker.joinAsync();
    // Everything sent before the worker finished draining is processed; anything sent after stays queued.
    const leftOver = [...leftOverRx.tryIter()];
    expect(count + leftOver.length).toBe(sent);
    expect(sum + leftOver.reduce((a, b) => a + b, 0)).toBe(expectedSum);
    expect(count).toBeGreaterThanOrEqual(12_345);
  });

  test('a worker that ignores the signal is terminated after the grace period and reported', async () => {
    const coordinator = new ShutdownCoordinator();
    const [dataTx, dataRx] = channel<number>();
    const polite = spawn(countingWorker, dataRx, coordinator.registerWorker().signal);
    const stuck = spawn(stuckWorker, coordinator.registerWorker().signal);
    // The grace period is for answering the signal, not for starting up: wait until the polite one runs.
    dataTx.send(0);
    while (dataTx.len() > 0) await sleepAsync(1);
    const start = performance.now();
    const report = await shutdownWithGrace(coordinator, [polite, stuck], 1000);
    expect(report.finished.map((f) => f.name)).toEqual(['countingWorker']);
    expect(report.forced).toEqual(['stuckWorker']);
    expect(report.failed).toEqual([]);
    expect(performance.now() - start).toBeGreaterThanOrEqual(950);
    expect(stuck.isFinished()).toBe(true);
  });

  test('workers still busy with slow items finish them when the grace period allows', async () => {
    const coordinator = new ShutdownCoordinator();
    const [dataTx, dataRx] = channel<number>();
    const worker = spawn(summingWorker, dataRx, coordinator.registerWorker().signal, 20);
    for (let i = 1; i <= 10; i++) dataTx.send(i);
    const report = await shutdownWithGrace(coordinator, [worker], 5_000);
    expect(report.forced).toEqual([]);
    expect(report.finished[0]!.result).toEqual({ count: 10, sum: 55 });
  });
});
