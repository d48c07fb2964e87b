/**
 * Helpers for cell implementations (code that runs inside a cell's child process).
 *
 * `Recorder` collects one sample per variant and repetition; `interleave` runs the variants of one repetition in
 * an order that rotates with the repetition, so that no variant always runs first (warm caches, a noisy
 * neighbour that starts mid-run) and every variant sees the same conditions on average.
 * `loadImpl` imports a milestone module from the reference or the target tree; a stubbed target
 * (NotImplementedError anywhere in the error, including a thread's panic) is recorded as "not implemented yet"
 * and its variants are dropped, while the reference variants go on.
 */
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { repoRoot } from '../../../lib/paths.ts';
import { isNotImplementedError } from '../target.ts';
import type { Better, CellOutput, CellSpec, Implementation, VariantInfo } from '../types.ts';

export class Recorder {
  readonly samples: Record<string, number[]> = {};
  readonly info: Record<string, VariantInfo> = {};
  readonly series: Record<string, [number, number][][]> = {};
  readonly unavailable: Record<string, string> = {};
  readonly notImplemented: Record<string, string> = {};
  readonly notes: string[] = [];

  declare(variant: string, unit: string, better: Better = 'lower'): void {
    this.info[variant] = { unit, better };
    this.samples[variant] ??= [];
  }

  add(variant: string, value: number): void {
    if (!Number.isFinite(value)) throw new RangeError(`variant ${variant}: non-finite sample ${value}`);
    (this.samples[variant] ??= []).push(value);
  }

  addSeries(variant: string, points: [number, number][]): void {
    (this.series[variant] ??= []).push(points);
  }

  output(): CellOutput {
    const samples = Object.fromEntries(Object.entries(this.samples).filter(([, v]) => v.length > 0));
    const info = Object.fromEntries(Object.entries(this.info).filter(([k]) => k in samples));
    return {
      samples,
      info,
      ...(Object.keys(this.series).length ? { series: this.series } : {}),
      ...(Object.keys(this.unavailable).length ? { unavailable: this.unavailable } : {}),
      ...(Object.keys(this.notImplemented).length ? { notImplemented: this.notImplemented } : {}),
      ...(this.notes.length ? { notes: this.notes } : {}),
    };
  }
}

/** The variants of one repetition, rotated by the repetition number and by the process's round (CellSpec.round). */
export function rotate<T>(items: readonly T[], rep: number, spec?: Pick<CellSpec, 'round'>): T[] {
  if (items.length === 0) return [];
  const k = (rep + (spec?.round ?? 0)) % items.length;
  return [...items.slice(k), ...items.slice(0, k)];
}

/** Variant name for an implementation: the reference keeps the plain name, the target gets a prefix. */
export function variantName(impl: Implementation | undefined, name: string): string {
  return impl === undefined || impl.label === 'reference' ? name : `target:${name}`;
}

export interface LoadedImpl<M> {
  readonly impl: Implementation;
  readonly module: M;
}

/**
 * Imports `<tree>/<folder>/<file>` for each implementation of the cell. An implementation that fails with a
 * NotImplementedError is recorded and left out; any other import error is rethrown (a crash is a crash).
 */
export async function loadImpls<M>(
  spec: CellSpec,
  folder: string,
  file: string,
  rec: Recorder,
): Promise<LoadedImpl<M>[]> {
  const loaded: LoadedImpl<M>[] = [];
  for (const impl of spec.impls ?? []) {
    try {
      const module = (await import(pathToFileURL(path.join(impl.dir, folder, file)).href)) as M;
      loaded.push({ impl, module });
    } catch (error) {
      const missing = (error as { code?: unknown }).code === 'ERR_MODULE_NOT_FOUND' && impl.label === 'target';
      if (!missing && !isNotImplementedError(error)) throw error;
      rec.notImplemented[impl.label] = missing ? `missing: ${firstLine(error)}` : firstLine(error);
    }
  }
  return loaded;
}

/**
 * Runs `fn` for an implementation; a NotImplementedError marks the implementation as not implemented and
 * returns false (the caller stops using it), anything else propagates.
 */
export function guardImpl(impl: Implementation, rec: Recorder, fn: () => void): boolean {
  try {
    fn();
    return true;
  } catch (error) {
    if (!isNotImplementedError(error)) throw error;
    rec.notImplemented[impl.label] = firstLine(error);
    return false;
  }
}

/** `guardImpl` for async work. */
export async function guardImplAsync(impl: Implementation, rec: Recorder, fn: () => Promise<void>): Promise<boolean> {
  try {
    await fn();
    return true;
  } catch (error) {
    if (!isNotImplementedError(error)) throw error;
    rec.notImplemented[impl.label] = firstLine(error);
    return false;
  }
}

export function firstLine(error: unknown): string {
  const text = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
  return text.split('\n')[0] ?? text;
}

export function num(spec: CellSpec, key: string): number {
  const v = spec.params[key];
  if (typeof v !== 'number') throw new TypeError(`cell ${spec.id}: parameter ${key} must be a number`);
  return v;
}

export function nums(spec: CellSpec, key: string): readonly number[] {
  const v = spec.params[key];
  if (!Array.isArray(v)) throw new TypeError(`cell ${spec.id}: parameter ${key} must be a list of numbers`);
  return v as readonly number[];
}

export function flag(spec: CellSpec, key: string): boolean {
  return spec.params[key] === true;
}

/** Median of a few numbers (for calibration inside a cell; reports use benches/lib/stats.ts). */
export function quickMedian(xs: readonly number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? (s[m] as number) : ((s[m - 1] as number) + (s[m] as number)) / 2;
}

/**
 * One run of a project command as a user starts it (`npm run <command>` runs `node scripts/launch.mjs
 * scripts/<command>.ts`; npm's own start-up left out): wall milliseconds from spawn to exit, and its stdout.
 * A failed run throws with its stderr, so a broken command never reports a time.
 */
export function timeCommand(command: string, args: readonly string[]): { ms: number; stdout: string } {
  const entry = [path.join(repoRoot, 'scripts', 'launch.mjs'), path.join(repoRoot, 'scripts', `${command}.ts`)];
  const start = performance.now();
  const run = spawnSync(process.execPath, [...entry, ...args], { encoding: 'utf8', maxBuffer: 1 << 26 });
  const ms = performance.now() - start;
  if (run.status !== 0) {
    const why = (run.stderr || run.error?.message || `exit ${run.status ?? run.signal}`).trim().split('\n')[0];
    throw new Error(`${command} ${args.join(' ')} failed: ${why}`);
  }
  return { ms, stdout: run.stdout };
}
