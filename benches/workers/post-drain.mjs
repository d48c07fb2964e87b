// Baseline consumer for benches/kit.ts: counts postMessage deliveries and reports each finished round.
// Plain JavaScript on purpose: the baseline is Node's own messaging with nothing of the kit in the way.
import { parentPort, workerData } from 'node:worker_threads';

const { perRound } = workerData;
let received = 0;
let round = 0;
parentPort.on('message', () => {
  if (++received === perRound) {
    received = 0;
    parentPort.postMessage(round++);
  }
});
parentPort.postMessage('ready');
