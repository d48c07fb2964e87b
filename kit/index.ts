/**
 * The kit in one import. Each module's header comment documents its semantics and memory layout.
 *
 * Invariants: none (re-exports only).
 */
export * from './atomic.ts';
export * from './barrier.ts';
export * from './channel.ts';
export * as codecs from './codec.ts';
export type { Codec, CodecSpec, FieldType, RecordOf } from './codec.ts';
export * from './condvar.ts';
export * from './futex.ts';
export {
  type LockGuard,
  LockTimeoutError,
  Mutex,
  MutexGuard,
  PoisonError,
  type SharedValue,
  WouldBlockError,
} from './mutex.ts';
export * from './result.ts';
export * from './rwlock.ts';
export * from './select.ts';
export * from './shared-data.ts';
export * from './thread.ts';
export * from './todo.ts';
export { registerShareable, wireOf } from './share.ts';
