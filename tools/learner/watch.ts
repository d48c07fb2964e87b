/**
 * Watching one folder for saves, debounced. fs.watch is the fast path; it is unreliable on network drives,
 * some containers and WSL mounts, so a watcher error switches to polling (file sizes and mtimes every
 * `pollMs`), and `poll: true` starts there.
 */
import { type FSWatcher, readdirSync, statSync, watch } from 'node:fs';
import path from 'node:path';

export interface FolderWatcher {
  readonly mode: () => 'events' | 'polling';
  close(): void;
}

export interface WatchOptions {
  readonly poll?: boolean;
  readonly pollMs?: number;
  readonly debounceMs?: number;
  /** Called once when fs.watch fails and polling takes over. */
  readonly onFallback?: (error: Error) => void;
}

/** A fingerprint of the folder's files: changes when any file is added, removed or rewritten. */
export function folderSignature(dir: string): string {
  const parts: string[] = [];
  const walk = (abs: string): void => {
    let names: string[];
    try {
      names = readdirSync(abs).sort();
    } catch {
      return;
    }
    for (const name of names) {
      if (name === 'node_modules' || name.startsWith('.')) continue;
      const file = path.join(abs, name);
      try {
        const st = statSync(file);
        if (st.isDirectory()) walk(file);
        else parts.push(`${file}:${st.size}:${st.mtimeMs}`);
      } catch {
        // Removed between readdir and stat: the next scan sees it gone.
      }
    }
  };
  walk(dir);
  return parts.join('\n');
}

export function watchFolder(dir: string, onChange: () => void, options: WatchOptions = {}): FolderWatcher {
  const debounceMs = options.debounceMs ?? 250;
  const pollMs = options.pollMs ?? 500;
  let timer: NodeJS.Timeout | undefined;
  let mode: 'events' | 'polling' = 'events';
  let watcher: FSWatcher | undefined;
  let poller: NodeJS.Timeout | undefined;
  let closed = false;
  // Editors save in several writes (truncate, write, rename): wait for a quiet moment, and compare signatures
  // so a touch without a change (or an event on an unrelated temp file that is gone again) does not re-run.
  let last = folderSignature(dir);
  const changed = (): void => {
    if (timer) clearTimeout(timer);
    timer = setTimeout(() => {
      timer = undefined;
      const now = folderSignature(dir);
      if (now === last || closed) return;
      last = now;
      onChange();
    }, debounceMs);
  };
  const startPolling = (): void => {
    mode = 'polling';
    poller = setInterval(() => {
      if (folderSignature(dir) !== last) changed();
    }, pollMs);
  };
  if (options.poll) startPolling();
  else {
    try {
      watcher = watch(dir, { recursive: true }, changed);
      watcher.on('error', (error) => {
        watcher?.close();
        watcher = undefined;
        options.onFallback?.(error);
        if (!closed) startPolling();
      });
    } catch (error) {
      options.onFallback?.(error as Error);
      startPolling();
    }
  }
  return {
    mode: () => mode,
    close(): void {
      closed = true;
      if (timer) clearTimeout(timer);
      if (poller) clearInterval(poller);
      watcher?.close();
    },
  };
}
