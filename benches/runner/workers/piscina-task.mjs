// Piscina's side of the pool suite: the same job encoding as benches/runner/bodies.ts (> 0 sleep ms, < 0 spin
// −value iterations of the same xorshift steps, 0 nothing). Plain JavaScript: piscina loads its worker file
// itself, without tsx.
const cell = new Int32Array(new SharedArrayBuffer(4));
// biome-ignore lint/correctness/noUnusedVariables: written so the JIT cannot drop the spin work as unused
let sink = 0;
export default function run(job) {
  if (job > 0) Atomics.wait(cell, 0, 0, job);
  else if (job < 0) {
    let x = 0x9e3779b9 | 0;
    for (let i = 0; i < -job; i++) {
      x ^= x << 13;
      x ^= x >>> 17;
      x ^= x << 5;
    }
    sink ^= x;
  }
  return job;
}
