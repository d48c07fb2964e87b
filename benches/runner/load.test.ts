import { describe, expect, test } from 'vitest';
import { startLoad } from './run.ts';

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

describe('--load: competing busy processes', () => {
  test('starts the asked number of busy processes and stops every one of them', async () => {
    const load = startLoad(2);
    expect(load.pids.length).toBe(2);
    expect(load.pids.every(alive)).toBe(true);
    load.stop();
    for (let i = 0; i < 50 && load.pids.some(alive); i++) await new Promise((r) => setTimeout(r, 20));
    expect(load.pids.some(alive)).toBe(false);
  });

  test('0 starts nothing', () => {
    const load = startLoad(0);
    expect(load.pids).toEqual([]);
    load.stop();
  });
});
