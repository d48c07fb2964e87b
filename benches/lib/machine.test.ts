import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { MachineProbe } from './machine.ts';
import { collectMachineInfo, finishMachineInfo, formatMachineHeader, gitInfo, machineWarnings } from './machine.ts';

function fakeProbe(over: Partial<MachineProbe> = {}): Partial<MachineProbe> {
  return {
    cpus: () => [{ model: '  Fake CPU @ 2.0GHz ' }, { model: 'Fake CPU @ 2.0GHz' }],
    availableParallelism: () => 2,
    totalmem: () => 8 * 1024 ** 3,
    loadavg: () => [0.3, 0.2, 0.1],
    platform: () => 'linux',
    arch: () => 'x64',
    type: () => 'Linux',
    release: () => '6.1.0',
    nodeVersion: () => 'v20.20.2',
    v8Version: () => '11.3',
    now: () => new Date('2026-01-02T03:04:05.000Z'),
    git: (args) => (args[0] === 'rev-parse' ? 'abc1234\n' : ''),
    ...over,
  };
}

describe('collectMachineInfo', () => {
  it('reports the injected machine', () => {
    const info = collectMachineInfo({ probe: fakeProbe() });
    expect(info).toMatchObject({
      cpuModel: 'Fake CPU @ 2.0GHz',
      logicalCores: 2,
      availableParallelism: 2,
      totalMemoryBytes: 8 * 1024 ** 3,
      nodeVersion: 'v20.20.2',
      v8Version: '11.3',
      osRelease: 'Linux 6.1.0',
      loadAverage1mBefore: 0.3,
      loadAverage1mAfter: null,
      date: '2026-01-02T03:04:05.000Z',
      git: { commit: 'abc1234', dirty: false },
      requestedThreads: null,
      warnings: [],
    });
  });

  it('works on the real machine', () => {
    const info = collectMachineInfo();
    expect(info.logicalCores).toBeGreaterThan(0);
    expect(info.availableParallelism).toBe(os.availableParallelism());
    expect(info.nodeVersion).toBe(process.version);
    expect(info.v8Version).toBe(process.versions.v8);
    expect(() => new Date(info.date).toISOString()).not.toThrow();
  });

  it('load average is null on Windows', () => {
    expect(
      collectMachineInfo({ probe: fakeProbe({ platform: () => 'win32', loadavg: () => [0, 0, 0] }) })
        .loadAverage1mBefore,
    ).toBeNull();
  });

  it('finishMachineInfo adds the after load and recomputes warnings without mutating', () => {
    const before = collectMachineInfo({ probe: fakeProbe() });
    // On 2 cores the run's own threads explain a load of about 2: 1.7 after is no warning, 3.2 is.
    const own = finishMachineInfo(before, fakeProbe({ loadavg: () => [1.7, 1, 1] }));
    expect(own.loadAverage1mAfter).toBe(1.7);
    expect(own.warnings).toEqual([]);
    const after = finishMachineInfo(before, fakeProbe({ loadavg: () => [3.2, 1, 1] }));
    expect(after.warnings).toHaveLength(1);
    expect(after.warnings[0]).toContain('after the run was 3.20');
    expect(before.loadAverage1mAfter).toBeNull();
    expect(before.warnings).toEqual([]);
  });
});

describe('machineWarnings', () => {
  const base = collectMachineInfo({ probe: fakeProbe() });

  it('load above 0.5 per core warns; exactly 0.5 per core does not', () => {
    expect(machineWarnings({ ...base, loadAverage1mBefore: 1.0 })).toEqual([]);
    const w = machineWarnings({ ...base, loadAverage1mBefore: 1.01 });
    expect(w).toHaveLength(1);
    expect(w[0]).toContain('before the run was 1.01');
    // After the run, the run's own load (one per core) comes on top: 3 on 2 cores is the limit, 3.01 warns.
    expect(machineWarnings({ ...base, loadAverage1mBefore: 2, loadAverage1mAfter: 3 })).toHaveLength(1);
    expect(machineWarnings({ ...base, loadAverage1mBefore: 2, loadAverage1mAfter: 3.01 })).toHaveLength(2);
  });

  it('more threads than cores warns; equal does not', () => {
    expect(machineWarnings({ ...base, requestedThreads: 2 })).toEqual([]);
    const w = machineWarnings({ ...base, requestedThreads: 8 });
    expect(w).toHaveLength(1);
    expect(w[0]).toContain('up to 8 threads but only 2');
  });

  it('speaks of one core and one thread in the singular', () => {
    const one = { ...base, availableParallelism: 1 };
    expect(machineWarnings({ ...one, loadAverage1mBefore: 2, requestedThreads: 2 })).toEqual([
      'load average before the run was 2.00, above 0.5 per core (0.50 for 1 core): other work competed for the CPU',
      'the run asks for up to 2 threads but only 1 can run in parallel: cells above 1 thread measure time-slicing',
    ]);
    expect(machineWarnings({ ...base, loadAverage1mBefore: 2 })[0]).toContain('(1.00 for 2 cores)');
  });

  it('collectMachineInfo applies them', () => {
    const info = collectMachineInfo({ requestedThreads: 16, probe: fakeProbe({ loadavg: () => [5, 5, 5] }) });
    expect(info.warnings).toHaveLength(2);
  });
});

describe('gitInfo', () => {
  it('dirty when status lists tracked changes', () => {
    const run = (args: readonly string[]) => (args[0] === 'rev-parse' ? 'def5678\n' : ' M kit/channel.ts\n');
    expect(gitInfo('/x', run)).toEqual({ commit: 'def5678', dirty: true });
  });

  it('asks git to ignore untracked files', () => {
    const seen: string[][] = [];
    gitInfo('/x', (args) => {
      seen.push([...args]);
      return args[0] === 'rev-parse' ? 'a\n' : '';
    });
    expect(seen[1]).toContain('--untracked-files=no');
  });

  it('handles not-a-git-repo gracefully (real git in an empty temp dir)', () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'machine-test-'));
    try {
      const g = gitInfo(dir);
      expect(g.commit).toBeNull();
      expect(g.dirty).toBeNull();
      expect(g.error).toBeTruthy();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('handles a failing status after a good rev-parse', () => {
    const g = gitInfo('/x', (args) => {
      if (args[0] === 'rev-parse') return 'a1\n';
      throw new Error('status exploded');
    });
    expect(g).toEqual({ commit: 'a1', dirty: null, error: 'status exploded' });
  });

  it('handles git missing from PATH', () => {
    const info = collectMachineInfo({
      probe: fakeProbe({
        git: () => {
          throw Object.assign(new Error('spawnSync git ENOENT'), { code: 'ENOENT' });
        },
      }),
    });
    expect(info.git).toEqual({ commit: null, dirty: null, error: 'spawnSync git ENOENT' });
  });
});

describe('formatMachineHeader', () => {
  it('lists everything and quotes the warnings', () => {
    const info = collectMachineInfo({
      requestedThreads: 8,
      probe: fakeProbe({ git: (a) => (a[0] === 'rev-parse' ? 'abc\n' : ' M x\n') }),
    });
    const md = formatMachineHeader(finishMachineInfo(info, fakeProbe({ loadavg: () => [0.4, 0, 0] })));
    expect(md).toContain('- CPU: Fake CPU @ 2.0GHz, 2 logical cores, 2 available to Node');
    expect(md).toContain('- Memory: 8.0 GiB');
    expect(md).toContain('- Node v20.20.2, V8 11.3, Linux 6.1.0 (linux/x64)');
    expect(md).toContain('- Load average (1 min): 0.30 before, 0.40 after');
    expect(md).toContain('- Date: 2026-01-02T03:04:05.000Z');
    expect(md).toContain('- Commit: abc (dirty)');
    expect(md).toMatch(/> \*\*Warning:\*\* the run asks for up to 8 threads/);
  });

  it('says why the commit is missing', () => {
    const info = collectMachineInfo({
      probe: fakeProbe({
        git: () => {
          throw new Error('fatal: not a git repository');
        },
      }),
    });
    expect(formatMachineHeader(info)).toContain('- Commit: not available (fatal: not a git repository)');
    expect(formatMachineHeader(info)).toContain('n/a after');
  });
});
