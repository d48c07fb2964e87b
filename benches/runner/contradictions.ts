/**
 * Where the chapter's own numbers disagree with each other, stated once in the report so that a reader does not
 * take a verdict against one of them for a verdict against all. Each entry names the claims (claims.ts ids) on
 * both sides and, where the disagreement is arithmetic, the arithmetic. Checked by hand against
 * spec/chapter14-threading-patterns.md; contradictions.test.ts checks that every id named here is a claim.
 */

export interface Contradiction {
  readonly title: string;
  /** Claim ids on either side. */
  readonly claims: readonly string[];
  readonly text: string;
}

export const CONTRADICTIONS: readonly Contradiction[] = [
  {
    title: 'RwLock at 90% reads: 8× or 5×?',
    claims: ['p3-m3-8x', 'p3-m6-90', 'p3-intro-mutex', 'p3-intro-rwlock'],
    text:
      'P3 m3 promises 8× the throughput of a Mutex at 90% reads; the P3 m6 results say 5× for the same read ratio, and the P3 ' +
      'introduction (500 ms against 100 ms) also gives 5×. At most one of them can hold for one machine.',
  },
  {
    title: 'A Mutex operation: 0.5 µs or 2–5 µs?',
    claims: ['p3-intro-mutex', 'p3-m4-mutex-op'],
    text:
      'The P3 introduction has 1M operations on 8 threads take 500 ms under a Mutex: 0.5 µs per operation (500 ms ÷ 1M), or 4 µs ' +
      'of one thread\u2019s time if each of the 8 threads is counted separately. P3 m4 says 2–5 µs per operation. The two agree only ' +
      'if "per operation" means per thread-time, which the chapter does not say.',
  },
  {
    title: 'Atomics against a Mutex: 10× or 100×?',
    claims: ['p3-intro-mutex', 'p3-intro-atomic', 'p3-m4-100x', 'p3-m6-atomic'],
    text:
      'The P3 introduction gives 500 ms for a Mutex and 50 ms for an atomic: 10×. P3 m4 and P3 m6 say 100×. P3 m4\u2019s own ranges ' +
      '(2–5 µs against 0.01–0.1 µs) allow anything from 20× to 500×.',
  },
  {
    title: '10 images on 8 cores: "~625 ms" is not what the arithmetic gives',
    claims: ['p2-m2-images'],
    text:
      '10 images of 500 ms on 8 workers run in two rounds (8 images, then the last 2), so the batch takes about 1000 ms, a speedup ' +
      'of 5×, not 8×. 625 ms is 5000 ms ÷ 8, which would need the images to be split into eighths. The benchmark here uses 16 ' +
      'equal tasks so that 8 workers can reach 8×.',
  },
  {
    title: 'Three pipelined stages: 10× throughput?',
    claims: ['p1-intro-throughput'],
    text:
      'Three equal stages in a pipeline can at best overlap three messages at a time: 3× the throughput of running them one after ' +
      'another. 10× would need ten stages.',
  },
];

/** The report's section body: one short paragraph per contradiction. */
export function contradictionLines(): string[] {
  return CONTRADICTIONS.flatMap((c) => [`- **${c.title}** ${c.text} (claims: ${c.claims.join(', ')})`]);
}
