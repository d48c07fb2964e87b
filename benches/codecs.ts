/**
 * What each channel codec costs per value, on one thread: encode into a ring and decode back, with nothing
 * crossing threads. It shows where the cross-thread numbers of benches/kit.ts come from (JSON text for
 * cloneables, field-by-field writes for records, one typed-array store for numbers).
 *
 *   npx tsx benches/codecs.ts [--json]
 *
 * tinybench runs each task with warm-up and reports the mean, margin and samples; the table leads with the cost
 * per round trip, the number that matters here.
 */
import v8 from 'node:v8';
import { Bench } from 'tinybench';
import { type Codec, f64, record, type RingViews, structured } from '#kit/codec.ts';

const LEVELS = ['Debug', 'Info', 'Warn', 'Error'] as const;
const entry = {
  timestamp: 1_700_000_000_123,
  level: 'Info' as (typeof LEVELS)[number],
  message: 'request 123 served in 861 ms from cache shard 11',
  source: 'web-3.frontend',
};
const buffer = new SharedArrayBuffer(1 << 16);
const ring: RingViews = {
  bytes: Buffer.from(buffer),
  view: new DataView(buffer),
  f64: new Float64Array(buffer),
  i32: new Int32Array(buffer),
};

function roundTrip<T>(codec: Codec<T>, value: T): () => void {
  return () => {
    const prepared = codec.prepare(value);
    const length = codec.write(prepared, ring, 8);
    codec.read(ring, 8, length);
  };
}

const bench = new Bench({ time: 400, warmupTime: 100 });
bench
  .add('f64 codec (one number)', roundTrip(f64, 42.5))
  .add(
    'record codec (log entry)',
    roundTrip(record({ timestamp: 'f64', level: { enum: LEVELS }, message: 'string', source: 'string' }), entry),
  )
  .add('structured codec (log entry, JSON path)', roundTrip(structured<typeof entry>(), entry))
  .add('structured codec (Map, v8 path)', roundTrip(structured<Map<string, number>>(), new Map([['a', 1]])))
  .add('baseline: v8.serialize + deserialize', () => v8.deserialize(v8.serialize(entry)))
  .add('baseline: structuredClone', () => structuredClone(entry));
await bench.run();

const rows = bench.tasks.map((task) => {
  const result = task.result as { latency?: { mean: number; rme: number }; throughput?: { mean: number } } | undefined;
  return {
    task: task.name,
    nsPerRoundTrip: (result?.latency?.mean ?? Number.NaN) * 1e6,
    marginPercent: result?.latency?.rme ?? Number.NaN,
  };
});
if (process.argv.includes('--json')) {
  process.stdout.write(`${JSON.stringify(rows, null, 2)}\n`);
} else {
  for (const row of rows) {
    process.stdout.write(
      `${row.nsPerRoundTrip.toFixed(0).padStart(7)} ns  ±${row.marginPercent.toFixed(1)}%  ${row.task}\n`,
    );
  }
}
