/**
 * The environment of the image worker processes (worker-env.ts): glibc's AVX-512 string functions masked on
 * Linux x86-64, a user's own setting kept, nothing added elsewhere; and the children really start with it.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, test } from 'vitest';
import { ProcessPool } from './process-pool.ts';
import { HWCAPS_TUNABLE, workerEnvironment } from './worker-env.ts';

describe('workerEnvironment', () => {
  test('adds the hwcaps mask on Linux x86-64, keeping the rest of the environment', () => {
    const env = workerEnvironment({ PATH: '/bin', HOME: '/h' }, 'linux', 'x64');
    expect(env).toEqual({ PATH: '/bin', HOME: '/h', GLIBC_TUNABLES: HWCAPS_TUNABLE });
    expect(HWCAPS_TUNABLE).toMatch(/^glibc\.cpu\.hwcaps=-AVX512F,-AVX512VL,/);
  });

  test("appends to the user's other tunables, colon-separated", () => {
    const env = workerEnvironment({ GLIBC_TUNABLES: 'glibc.malloc.arena_max=2' }, 'linux', 'x64');
    expect(env.GLIBC_TUNABLES).toBe(`glibc.malloc.arena_max=2:${HWCAPS_TUNABLE}`);
  });

  test("a user's own glibc.cpu.hwcaps wins, an empty one included", () => {
    for (const mine of ['glibc.cpu.hwcaps=-AVX2', 'glibc.cpu.hwcaps=', 'glibc.malloc.arena_max=2:glibc.cpu.hwcaps=x']) {
      const given = { GLIBC_TUNABLES: mine };
      expect(workerEnvironment(given, 'linux', 'x64')).toBe(given);
    }
  });

  test('other platforms and architectures get the environment unchanged', () => {
    const given = { PATH: '/bin' };
    for (const [platform, arch] of [
      ['darwin', 'x64'],
      ['win32', 'x64'],
      ['linux', 'arm64'],
    ] as const)
      expect(workerEnvironment(given, platform, arch)).toBe(given);
  });
});

test.runIf(process.platform === 'linux' && process.arch === 'x64')(
  'worker processes start with the mask in their environment (read from /proc)',
  async () => {
    const pool = new ProcessPool(2, { inProcess: true });
    try {
      expect(await pool.anyStarted()).toBe(true);
      const environ = readFileSync(`/proc/${pool.children[0]!.pid}/environ`, 'utf8').split('\0');
      const tunables = environ.find((entry) => entry.startsWith('GLIBC_TUNABLES='));
      expect(tunables).toBeDefined();
      expect(tunables!.split('=').slice(1).join('=').split(':')).toContain(HWCAPS_TUNABLE);
    } finally {
      await pool.run([], { operations: {}, process: {} });
    }
  },
);
