/** Thread bodies for the kit's channel, select, codec, death and stress tests. */
import { EndpointClosedError, type Receiver, type SendError, type Sender } from '../channel.ts';
import { select } from '../select.ts';
import { defineThread, sleep, spawn } from '../thread.ts';

/** Forward every message until the input disconnects; returns how many. */
export const forward = defineThread(import.meta.url, 'forward', (rx: Receiver<unknown>, tx: Sender<unknown>) => {
  let count = 0;
  for (const value of rx) {
    tx.send(value);
    count++;
  }
  return count;
});

/** Every message until disconnection (blocking iteration in a worker). */
export const collect = defineThread(import.meta.url, 'collect', (rx: Receiver<unknown>) => {
  const out: unknown[] = [];
  for (const value of rx) out.push(value);
  return out;
});

export const sendEach = defineThread(import.meta.url, 'sendEach', (tx: Sender<unknown>, values: unknown[]) => {
  for (const value of values) tx.send(value);
  return values.length;
});

/** Keep an endpoint open for `ms` (until terminated, for long values). */
export const holdSender = defineThread(import.meta.url, 'holdSender', (tx: Sender<unknown>, ms: number) => {
  sleep(ms);
  return tx.isClosed;
});

export const holdReceiver = defineThread(import.meta.url, 'holdReceiver', (rx: Receiver<unknown>, ms: number) => {
  sleep(ms);
  return rx.isClosed;
});

export interface Timed {
  readonly outcome: string;
  readonly value?: unknown;
  readonly ms: number;
}

/** One blocking recv; reports the value or the error's name, and how long it waited. */
export const recvOnce = defineThread(import.meta.url, 'recvOnce', (rx: Receiver<unknown>): Timed => {
  const started = performance.now();
  try {
    const value = rx.recv();
    return { outcome: 'value', value, ms: performance.now() - started };
  } catch (error) {
    return { outcome: (error as Error).name, ms: performance.now() - started };
  }
});

/** Send 0, 1, 2... until a send fails; reports the error and the value it handed back. */
export const sendUntilFails = defineThread(import.meta.url, 'sendUntilFails', (tx: Sender<number>) => {
  let next = 0;
  for (;;) {
    try {
      tx.send(next);
      next++;
    } catch (error) {
      return { name: (error as Error).name, valueBack: (error as SendError<number>).value, sent: next };
    }
  }
});

/** Rendezvous: how long a single send blocked. */
export const timedSend = defineThread(import.meta.url, 'timedSend', (tx: Sender<number>, value: number) => {
  const started = performance.now();
  tx.send(value);
  return performance.now() - started;
});

/** Sends `count` numbers then throws. */
export const throwMidStream = defineThread(import.meta.url, 'throwMidStream', (tx: Sender<number>, count: number) => {
  for (let i = 0; i < count; i++) tx.send(i);
  throw new Error('producer failed mid-stream');
});

/** Sends `count` numbers then calls process.exit. */
export const exitMidStream = defineThread(
  import.meta.url,
  'exitMidStream',
  (tx: Sender<number>, count: number, code: number) => {
    for (let i = 0; i < count; i++) tx.send(i);
    process.exit(code);
  },
);

/** Receives `count` numbers then throws, holding its receiver until then. */
export const consumerThrows = defineThread(import.meta.url, 'consumerThrows', (rx: Receiver<number>, count: number) => {
  for (let i = 0; i < count; i++) rx.recv();
  throw new Error('consumer failed mid-stream');
});

/** Inside a worker: pass an endpoint to another thread, then try to use the moved one. */
export const useAfterMove = defineThread(import.meta.url, 'useAfterMove', (tx: Sender<number>) => {
  const helper = spawn(holdSender, tx as Sender<unknown>, 10);
  let error = 'none';
  try {
    tx.send(1);
  } catch (caught) {
    error = caught instanceof EndpointClosedError ? 'EndpointClosedError' : (caught as Error).name;
  }
  helper.join();
  return error;
});

export interface CheckedCount {
  /** Messages received, per producer. */
  readonly counts: number[];
  /** Every producer's messages arrived in increasing order. */
  readonly increasing: boolean;
  /** Every producer's messages were exactly 0, 1, 2... (no gap, no duplicate). */
  readonly contiguous: boolean;
  /** One byte per possible message (producer * perProducer + i), set to how often it was seen; empty when off. */
  readonly seen: Uint8Array;
}

/**
 * Consume numbers encoded as `producer * perProducer + i` until disconnection, checking per-producer order.
 */
export const consumeChecked = defineThread(
  import.meta.url,
  'consumeChecked',
  (rx: Receiver<number>, producers: number, perProducer: number, withSeen: boolean): CheckedCount => {
    const counts = new Array<number>(producers).fill(0);
    const last = new Array<number>(producers).fill(-1);
    const seen = new Uint8Array(withSeen ? producers * perProducer : 0);
    let increasing = true;
    let contiguous = true;
    for (const value of rx) {
      const producer = Math.floor(value / perProducer);
      const i = value - producer * perProducer;
      const previous = last[producer]!;
      if (i <= previous) increasing = false;
      if (i !== previous + 1) contiguous = false;
      last[producer] = i;
      counts[producer] = counts[producer]! + 1;
      if (withSeen) seen[value] = Math.min(255, seen[value]! + 1);
    }
    return { counts, increasing, contiguous, seen };
  },
);

/** Sends `count` numbers `base + i` (the stress tests' producer). */
export const produceRange = defineThread(
  import.meta.url,
  'produceRange',
  (tx: Sender<number>, base: number, count: number) => {
    for (let i = 0; i < count; i++) tx.send(base + i);
    return count;
  },
);

export interface Item {
  id: number;
  name: string;
  tags: string[];
  nested: { even: boolean; square: number };
}

export function makeItem(id: number): Item {
  return {
    id,
    name: `item-${id}`,
    tags: id % 3 === 0 ? [] : ['a', `t${id % 7}`],
    nested: { even: id % 2 === 0, square: id * id },
  };
}

export const produceItems = defineThread(
  import.meta.url,
  'produceItems',
  (tx: Sender<Item>, from: number, count: number) => {
    for (let i = 0; i < count; i++) tx.send(makeItem(from + i));
    return count;
  },
);

/** Consumes items and checks each one's fields against its id; returns count, id sum and mismatches. */
export const consumeItems = defineThread(import.meta.url, 'consumeItems', (rx: Receiver<Item>) => {
  let count = 0;
  let idSum = 0;
  let bad = 0;
  for (const item of rx) {
    count++;
    idSum += item.id;
    const want = makeItem(item.id);
    if (
      item.name !== want.name ||
      item.tags.join(',') !== want.tags.join(',') ||
      item.nested.even !== want.nested.even ||
      item.nested.square !== want.nested.square
    ) {
      bad++;
    }
  }
  return { count, idSum, bad };
});

/** Blocking select in a worker: answers every message from `a` or `b` on `out` as `index * 1e6 + value`. */
export const selectServer = defineThread(
  import.meta.url,
  'selectServer',
  (a: Receiver<number>, b: Receiver<number>, out: Sender<number>) => {
    let served = 0;
    let open = 2;
    const receivers = [a, b] as const;
    while (open > 0) {
      const picked = select(receivers);
      if (picked.kind === 'disconnected') {
        receivers[picked.index]!.close();
        open--;
        if (open > 0) {
          // Keep serving the other one alone.
          const other = receivers[1 - picked.index]!;
          for (const value of other) out.send((1 - picked.index) * 1e6 + value);
          open = 0;
        }
        break;
      }
      out.send(picked.index * 1e6 + picked.value);
      served++;
    }
    return served;
  },
);

/** One blocking select with no timeout; reports what it got and how long it waited. */
export const selectOnce = defineThread(import.meta.url, 'selectOnce', (a: Receiver<number>, b: Receiver<number>) => {
  const started = performance.now();
  const picked = select([a, b]);
  return { picked, ms: performance.now() - started };
});

/** Says it is about to select (on `ready`), then blocks in select; reports what it got and when it started. */
export const selectAfterReady = defineThread(
  import.meta.url,
  'selectAfterReady',
  (a: Receiver<number>, b: Receiver<number>, ready: Sender<number>) => {
    ready.send(1);
    const startedAt = performance.timeOrigin + performance.now();
    const picked = select([a, b]);
    return { picked, startedAt };
  },
);
