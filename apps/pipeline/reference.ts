/**
 * The pipeline app's one window onto the reference solutions (project 1): the log levels and entries of m1 and
 * the enrich/stats stage of m2. Everything else in apps/pipeline is the app's own.
 */
export { LOG_LEVELS, type LogEntry, type LogLevel } from '../../solutions/p1-pipeline/m1-mpsc/log-entry.ts';
export { emptyStats, enrich, isAtLeast, type LogStats, record } from '../../solutions/p1-pipeline/m2-stages/stages.ts';
