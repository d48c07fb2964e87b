/**
 * The environment the image worker processes start with: this process's own, plus one glibc setting on Linux
 * x86-64 that keeps libvips' bundled SSE code at full speed on CPUs with AVX-512.
 *
 * The problem. x86 CPUs track whether the upper halves of the vector registers hold data ("dirty upper
 * state"). While they do, every legacy (non-VEX) SSE instruction is slowed by a merge with those upper halves;
 * `vzeroupper` clears the state. Measured on this project's 2-core AMD EPYC VM: a loop of SSE
 * subtract/multiply/dot-product instructions runs in 0.105 s clean and 0.287 s dirty (2.7×). Some code among
 * libvips' bundled codecs leaves the state dirty (seen after AVIF encodes), and nothing cleans it before the next
 * task on that libvips thread: on CPUs with AVX-512, glibc's string functions (memcpy, memset, strlen…) are its
 * EVEX variants, which use registers 16–31 and so never need, nor execute, `vzeroupper`. The victim seen is
 * libimagequant's nearest-colour search (GIF output), written in legacy SSE: one 15 KB GIF takes 36 ms or
 * 105 ms with identical input and output, depending on whether an AVIF was encoded on the same thread before
 * it. Setting MXCSR's flush-to-zero and denormals-are-zero on every thread did not change it; masking glibc's
 * AVX-512 did (40 GIFs after AVIFs: all 34–41 ms).
 *
 * The fix. `GLIBC_TUNABLES=glibc.cpu.hwcaps=-AVX512F,…` makes glibc pick its AVX2 string functions, which end
 * with `vzeroupper`: the first memcpy after the dirtying code cleans the state. Nothing else changes (libvips
 * and its codecs detect the CPU themselves and keep their AVX-512 paths). glibc reads the variable when a
 * process starts, so it can only be given to processes this one starts; this process's own lane, and worker
 * threads (`--threads`), keep the state they started with. Export the same variable to have it everywhere.
 *
 * Left alone: a user's own `glibc.cpu.hwcaps` setting (theirs wins, an empty one included), other platforms and
 * C libraries (the variable is glibc's, so it is not set elsewhere; musl ignores it anyway).
 */

/** The glibc tunable given to worker processes, without the variable name. */
export const HWCAPS_TUNABLE = 'glibc.cpu.hwcaps=-AVX512F,-AVX512VL,-AVX512BW,-AVX512DQ,-AVX512CD';

/** `env` with the tunable added to GLIBC_TUNABLES (kept, colon-separated) on Linux x86-64; `env` itself
 * elsewhere, or when GLIBC_TUNABLES already says something about glibc.cpu.hwcaps. */
export function workerEnvironment(
  env: NodeJS.ProcessEnv = process.env,
  platform: NodeJS.Platform = process.platform,
  arch: string = process.arch,
): NodeJS.ProcessEnv {
  if (platform !== 'linux' || arch !== 'x64') return env;
  const current = env.GLIBC_TUNABLES;
  if (current?.split(':').some((entry) => entry.startsWith('glibc.cpu.hwcaps='))) return env;
  return { ...env, GLIBC_TUNABLES: current ? `${current}:${HWCAPS_TUNABLE}` : HWCAPS_TUNABLE };
}
