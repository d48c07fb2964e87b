/**
 * Thread bodies used by this milestone's checkpoint tests: the benchmarks block the thread that calls them, so
 * the tests call them from a thread of their own and can give up on one that never returns.
 */
import { defineThread } from '#kit/thread.ts';
import { benchmarkChannelPipeline, benchmarkSharedState, runComparison } from './benchmark.ts';

export const channelPipelineIn = defineThread(
  import.meta.url,
  'channelPipelineIn',
  (numLogs: number, workers: number) => benchmarkChannelPipeline(numLogs, workers),
);

export const sharedStateIn = defineThread(import.meta.url, 'sharedStateIn', (numLogs: number, workers: number) =>
  benchmarkSharedState(numLogs, workers),
);

export const comparisonIn = defineThread(import.meta.url, 'comparisonIn', (numLogs: number, threadCounts: number[]) =>
  runComparison(numLogs, threadCounts),
);
