/**
 * Imports every kit module that registers a handle kind (handles.ts), so that a new thread can rebuild any kit
 * object passed to it. Add new shareable kit modules here.
 *
 * Invariants: none (imports only).
 */
import '../channel.ts';
import '../atomic.ts';
import '../barrier.ts';
import '../condvar.ts';
import '../mutex.ts';
import '../rwlock.ts';
import '../shared-data.ts';
