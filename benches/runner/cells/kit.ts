/**
 * The `kit` suite's one cell: what one operation costs on one thread, uncontended, measured with mitata
 * (in-process; it runs the function in a calibrated loop and reports percentiles in ns). Each repetition
 * measures every operation once, in rotating order, and keeps mitata's median (p50) as the sample.
 *
 * Operations: a channel send followed by a recv on the same thread (f64 codec), kit Mutex lock + unlock,
 * `Atomics.add` on a SharedArrayBuffer, the kit AtomicU32 `fetchAdd`, kit RwLock read lock + unlock, and V8's
 * `Atomics.Mutex.lock` when the process was started with --harmony-struct (otherwise: not available).
 */
import { measure } from 'mitata';
import { AtomicU32 } from '#kit/atomic.ts';
import { syncChannel } from '#kit/channel.ts';
import { f64 } from '#kit/codec.ts';
import { Mutex } from '#kit/mutex.ts';
import { RwLock } from '#kit/rwlock.ts';
import type { CellOutput, CellSpec } from '../types.ts';
import { num, Recorder, rotate } from './common.ts';

interface V8Mutex {
  Mutex: (new () => object) & { lock(mutex: object, fn: () => void): void };
}

export async function runCell(spec: CellSpec): Promise<CellOutput> {
  if (spec.kind !== 'micro') throw new Error(`kit: unknown cell kind ${spec.kind}`);
  const rec = new Recorder();
  const minCpu = num(spec, 'minCpuNs');
  const [tx, rx] = syncChannel<number>(16, { codec: f64 });
  const mutex = new Mutex();
  const rw = new RwLock();
  const cells = new Int32Array(new SharedArrayBuffer(8));
  const atomic = new AtomicU32(0);
  const ops: [string, () => void][] = [
    [
      'channel send + recv',
      () => {
        tx.send(1);
        rx.recv();
      },
    ],
    [
      'Mutex lock + unlock',
      () => {
        const g = mutex.lock();
        g.unlock();
      },
    ],
    [
      'RwLock read + unlock',
      () => {
        const g = rw.read();
        g.unlock();
      },
    ],
    ['Atomics.add', () => void Atomics.add(cells, 0, 1)],
    ['AtomicU32 fetchAdd', () => void atomic.fetchAdd(1)],
  ];
  const v8 = Atomics as unknown as Partial<V8Mutex>;
  if (typeof v8.Mutex === 'function') {
    const M = v8.Mutex;
    const m = new M();
    let counter = 0;
    const body = () => {
      counter++;
    };
    ops.push(['Atomics.Mutex lock (V8)', () => M.lock(m, body)]);
  } else {
    rec.unavailable['Atomics.Mutex lock (V8)'] = 'not available: needs node --harmony-struct, which did not work here';
  }
  for (const [name] of ops) rec.declare(name, 'ns/op');
  for (let rep = 0; rep < spec.reps; rep++) {
    for (const [name, fn] of rotate(ops, rep)) {
      const stats = await measure(fn, { min_cpu_time: minCpu });
      rec.add(name, stats.p50);
    }
  }
  return rec.output();
}
