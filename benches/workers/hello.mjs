// Baseline for thread start-up: a plain ES module worker that says hello as soon as it runs.
import { parentPort } from 'node:worker_threads';

parentPort.postMessage(1);
