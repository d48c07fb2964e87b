/** The kit in one import. Each module's header comment documents its semantics and memory layout. */
export * from './channel.ts';
export * as codecs from './codec.ts';
export type { Codec, CodecSpec, FieldType, RecordOf } from './codec.ts';
export * from './result.ts';
export * from './select.ts';
export * from './thread.ts';
export * from './todo.ts';
