/** The counters app's one window onto the reference solutions (project 3). */
export { runComparison } from '../../solutions/p3-counters/m6-benchmark/benchmark.ts';
