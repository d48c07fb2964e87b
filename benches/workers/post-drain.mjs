// Baseline consumer for benches/kit.ts: counts postMessage deliveries and reports each finished round.
// Plain JavaScript on purpose: the baseline is Node's own messaging with nothing of the kit in the way.
import { parentPort, workerData } from 'node:worker_threads';

// A warm-up round of `warmup` messages, then a timed round of `perRound`.
const { warmup, perRound } = workerData;
let received = 0;
let round = 0;
parentPort.on('message', () => {
  if (++received === (round === 0 ? warmup : perRound)) {
    received = 0;
    parentPort.postMessage(round++);
  }
});
parentPort.postMessage('ready');
