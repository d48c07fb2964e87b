/**
 * Cells of the `kit` suite.
 *
 *   micro    what one operation costs on one thread, uncontended, measured with mitata (in-process; it runs the
 *            function in a calibrated loop and reports percentiles in ns). Each repetition measures every
 *            operation once, in rotating order, and keeps mitata's median (p50) as the sample. Operations: a
 *            channel send followed by a recv on the same thread (f64 codec), kit Mutex lock + unlock and
 *            withLock, `Atomics.add` on a SharedArrayBuffer, the kit AtomicU32 `fetchAdd`, kit RwLock read lock +
 *            unlock, and V8's `Atomics.Mutex.lock` when the process was started with --harmony-struct.
 *   threads  what crossing threads costs: a ping-pong round trip between two busy kit threads (µs) and, as its floor,
 *            the bare core-to-core round trip of two threads spinning on one shared word (µs), the CPU a
 *            receiver parked in recv uses (% of a core), and the start-up of a TypeScript thread body to its
 *            first message against a plain ES module worker (ms; bodies compiled once before timing, the steady
 *            state of a program that spawns many threads).
 */
import { once } from 'node:events';
import { Worker } from 'node:worker_threads';
import { measure } from 'mitata';
import { AtomicU32 } from '#kit/atomic.ts';
import { channel, syncChannel } from '#kit/channel.ts';
import { f64 } from '#kit/codec.ts';
import { Mutex } from '#kit/mutex.ts';
import { RwLock } from '#kit/rwlock.ts';
import { spawn } from '#kit/thread.ts';
import { hello, idle, ping, pong } from '../../kit-bodies.ts';
import { V } from '../registry.ts';
import type { CellOutput, CellSpec } from '../types.ts';
import { num, Recorder, rotate } from './common.ts';
import { median } from '../../lib/stats.ts';

interface V8Mutex {
  Mutex: (new () => object) & { lock(mutex: object, fn: () => void): void };
}

export async function runCell(spec: CellSpec): Promise<CellOutput> {
  const rec = new Recorder();
  if (spec.kind === 'micro') await micro(spec, rec);
  else if (spec.kind === 'threads') await threads(spec, rec);
  else throw new Error(`kit: unknown cell kind ${spec.kind}`);
  return rec.output();
}

async function micro(spec: CellSpec, rec: Recorder): Promise<void> {
  const minCpu = num(spec, 'minCpuNs');
  const [tx, rx] = syncChannel<number>(16, { codec: f64 });
  const mutex = new Mutex();
  const rw = new RwLock();
  const cells = new Int32Array(new SharedArrayBuffer(8));
  const atomic = new AtomicU32(0);
  const noop = () => {};
  const ops: [string, () => void][] = [
    [
      V.micro.channel,
      () => {
        tx.send(1);
        rx.recv();
      },
    ],
    [
      V.micro.mutex,
      () => {
        const g = mutex.lock();
        g.unlock();
      },
    ],
    [
      V.micro.rwlock,
      () => {
        const g = rw.read();
        g.unlock();
      },
    ],
    [V.micro.mutexWithLock, () => mutex.withLock(noop)],
    [V.micro.atomicsAdd, () => void Atomics.add(cells, 0, 1)],
    [V.micro.atomicU32, () => void atomic.fetchAdd(1)],
  ];
  const v8 = Atomics as unknown as Partial<V8Mutex>;
  // The critical section's work lives outside, so the JIT cannot drop it.
  const sink = { count: 0 };
  if (typeof v8.Mutex === 'function') {
    const M = v8.Mutex;
    const m = new M();
    const body = () => {
      sink.count++;
    };
    ops.push([V.micro.v8Mutex, () => M.lock(m, body)]);
  } else {
    rec.unavailable[V.micro.v8Mutex] = 'not available: needs node --harmony-struct, which did not work here';
  }
  for (const [name] of ops) rec.declare(name, 'ns/op');
  for (let rep = 0; rep < spec.reps; rep++) {
    for (const [name, fn] of rotate(ops, rep, spec)) {
      const stats = await measure(fn, { min_cpu_time: minCpu });
      rec.add(name, stats.p50);
    }
  }
}

/** µs per round trip through a pong thread (after a warm-up inside the ping thread). */
function pingPong(roundTrips: number): number {
  const [aTx, aRx] = channel<number>({ codec: f64 });
  const [bTx, bRx] = channel<number>({ codec: f64 });
  const echo = spawn(pong, aRx, bTx);
  const ns = spawn(ping, aTx, bRx, Math.ceil(roundTrips / 4), roundTrips).join();
  echo.join();
  return ns / 1000;
}

const SPIN_ECHO = new URL('../../workers/spin-echo.mjs', import.meta.url);

/**
 * The bare cost of crossing cores, in µs per round trip: this thread and a plain worker bounce one shared counter,
 * each spinning on `Atomics.load` (no kit, no codec, no parking). What the machine itself charges for a cache line
 * to go from one core to another and back, which bounds every channel's ping-pong (and moves with where the
 * operating system, or a virtual machine's host, puts the two threads).
 */
async function corePingPong(roundTrips: number): Promise<number> {
  const words = new Int32Array(new SharedArrayBuffer(33 * 4));
  const worker = new Worker(SPIN_ECHO, { workerData: words.buffer });
  while (Atomics.load(words, 32) === 0) await new Promise((resolve) => setTimeout(resolve, 1));
  const bounce = (from: number, count: number) => {
    for (let i = from; i < from + count; i++) {
      Atomics.store(words, 0, i);
      while (Atomics.load(words, 16) !== i);
    }
  };
  bounce(1, Math.ceil(roundTrips / 4));
  const start = performance.now();
  bounce(roundTrips, roundTrips);
  const us = ((performance.now() - start) * 1000) / roundTrips;
  Atomics.store(words, 0, -1);
  await once(worker, 'exit');
  return us;
}

/** % of one core this process uses while a receiver thread is parked in recv for `ms`. */
async function idleCpu(ms: number): Promise<number> {
  const [tx, rx] = channel<number>();
  const handle = spawn(idle, rx);
  await new Promise((resolve) => setTimeout(resolve, 100));
  const before = process.cpuUsage();
  const start = performance.now();
  await new Promise((resolve) => setTimeout(resolve, ms));
  const used = process.cpuUsage(before);
  const elapsed = performance.now() - start;
  tx.close();
  await handle.joinAsync();
  return ((used.user + used.system) / 1000 / elapsed) * 100;
}

const HELLO = new URL('../../workers/hello.mjs', import.meta.url);

async function threads(spec: CellSpec, rec: Recorder): Promise<void> {
  const roundTrips = num(spec, 'roundTrips');
  const startups = num(spec, 'startups');
  const idleMs = num(spec, 'idleMs');
  const [tx, rx] = channel<number>();
  spawn(hello, tx.clone()).join(); // compile the body once
  rx.recv();
  const kitStart = async (): Promise<number> => {
    const start = performance.now();
    const handle = spawn(hello, tx.clone());
    rx.recv();
    const ms = performance.now() - start;
    await handle.joinAsync();
    return ms;
  };
  const plainStart = async (): Promise<number> => {
    const start = performance.now();
    const worker = new Worker(HELLO);
    const exited = once(worker, 'exit'); // listened to from the start: the worker may exit right after its message
    await once(worker, 'message');
    const ms = performance.now() - start;
    await exited;
    return ms;
  };
  const variants: [string, () => number | Promise<number>][] = [
    [V.threads.pingPong, () => pingPong(roundTrips)],
    [V.threads.corePingPong, () => corePingPong(roundTrips)],
    [V.threads.idleCpu, () => idleCpu(idleMs)],
    [V.threads.kitStartup, async () => median(await sequence(startups, kitStart))],
    [V.threads.plainStartup, async () => median(await sequence(startups, plainStart))],
  ];
  rec.declare(V.threads.pingPong, 'µs');
  rec.declare(V.threads.corePingPong, 'µs');
  rec.declare(V.threads.idleCpu, '% of a core');
  rec.declare(V.threads.kitStartup, 'ms');
  rec.declare(V.threads.plainStartup, 'ms');
  for (let rep = 0; rep < spec.reps; rep++) {
    for (const [name, run] of rotate(variants, rep, spec)) rec.add(name, await run());
  }
  tx.close();
}

async function sequence(n: number, fn: () => Promise<number>): Promise<number[]> {
  const out: number[] = [];
  for (let i = 0; i < n; i++) out.push(await fn());
  return out;
}
