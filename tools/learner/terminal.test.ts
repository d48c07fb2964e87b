/**
 * `npm run learn` in a real terminal: tmux (a private server, its own socket) runs it in a 120×50 pane; the test
 * saves a file and reads the screen back with capture-pane. It checks what a student sees: the screen cleared
 * on each run (the scrollback holds one view, one progress bar), the bar, the results of the re-run, and what the
 * student's code printed in a worker thread, marked as theirs; then the milestone list and a jump. The deadlines
 * are generous and every wait polls, so a loaded machine makes it slower, not red. Skipped where tmux is not
 * installed (.ci/run installs it).
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, test } from 'vitest';
import { projectRoot } from '../../course/layout.ts';

const hasTmux = spawnSync('tmux', ['-V']).status === 0;
const dir = mkdtempSync(path.join(os.tmpdir(), 'learn-terminal-'));
/** The private server's socket, inside the temporary folder: removed with it. */
const socket = path.join(dir, 'tmux.sock');

const tmux = (...args: string[]): string => execFileSync('tmux', ['-S', socket, ...args], { encoding: 'utf8' });
/** The whole pane, scrollback included. */
const screen = (): string => tmux('capture-pane', '-p', '-J', '-S', '-', '-t', 'learn');

async function waitFor(what: string, ok: (text: string) => boolean, deadlineMs = 120_000): Promise<string> {
  const end = Date.now() + deadlineMs;
  let text = '';
  while (Date.now() < end) {
    text = screen();
    if (ok(text)) return text;
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`the screen never showed ${what}; it shows:\n${text}`);
}

afterAll(() => {
  if (hasTmux) spawnSync('tmux', ['-S', socket, 'kill-server']);
  rmSync(dir, { recursive: true, force: true });
});

describe.skipIf(!hasTmux)('npm run learn in a terminal (tmux)', () => {
  test('a cleared screen with a progress bar; a save re-runs, shows the failure and the thread output', async () => {
    cpSync(path.join(projectRoot, 'exercises'), dir, { recursive: true });
    const env: NodeJS.ProcessEnv = { ...process.env, TERM: 'xterm-256color', NO_COLOR: '1' };
    delete env['TMUX'];
    delete env['FORCE_COLOR'];
    // A scrollback to prove the clearing on, and the pane kept after learn quits, to read its goodbye.
    const conf = path.join(dir, 'tmux.conf');
    writeFileSync(conf, 'set -g history-limit 5000\nset -g remain-on-exit on\n');
    // The shell says how learn ended (tmux 3.3 does not always record a dead pane's exit status).
    const command = `npm run --silent learn -- --poll --exercises ${dir}; echo "learn exited with $?"`;
    const session = ['new-session', '-d', '-s', 'learn', '-x', '120', '-y', '50', '-c', projectRoot, command];
    execFileSync('tmux', ['-S', socket, '-f', conf, ...session], { env });

    const first = await waitFor('the p1/m1 view', (t) => t.includes('━━━ p1/m1') && t.includes('[polling '));
    expect(first).toMatch(/Progress: \[>-+\] 0\/18 milestones done/);
    expect(first).toContain('still a stub: parseLogLine (NotImplementedError)');
    expect(first).toContain(`${path.join(dir, 'p1-pipeline/m1-mpsc')}/`);

    // Save p1/m1 written, but with a consumer that drops the last entry and prints from its thread.
    const m1 = path.join(projectRoot, 'solutions/p1-pipeline/m1-mpsc');
    cpSync(path.join(m1, 'log-entry.ts'), path.join(dir, 'p1-pipeline/m1-mpsc/log-entry.ts'));
    const consumerLoop = '  for (const entry of rx) logs.push(entry);';
    const mpsc = readFileSync(path.join(m1, 'mpsc.ts'), 'utf8');
    expect(mpsc).toContain(consumerLoop);
    writeFileSync(
      path.join(dir, 'p1-pipeline/m1-mpsc/mpsc.ts'),
      mpsc.replace(consumerLoop, `${consumerLoop}\n  console.log(\`consumer got \${logs.length}\`);\n  logs.pop();`),
    );

    const rerun = (t: string): boolean => t.includes('your code printed:') && t.includes('[polling ');
    const after = await waitFor('the re-run result', rerun);
    expect(after).not.toContain('still a stub: parseLogLine');
    expect(after.match(/Progress: \[/g)).toHaveLength(1); // cleared: the scrollback holds this view only
    expect(after).toMatch(/│ \[thread\] consumer got \d+/);
    expect(after).toMatch(/✗ p1\/m1: \d+\/\d+ checkpoint tests pass/);

    // l opens the milestone list; j and Enter (typed in one go) jump to the next milestone.
    tmux('send-keys', '-t', 'learn', 'l');
    const list = await waitFor('the milestone list', (t) => t.includes('[↑/↓ or k/j move'));
    expect(list).toMatch(/› … p1\/m1 /);
    tmux('send-keys', '-t', 'learn', 'j', 'Enter');
    const m2 = `${path.join(dir, 'p1-pipeline/m2-stages')}/`;
    await waitFor('the p1/m2 view', (t) => t.includes('━━━ p1/m2') && t.includes(m2));

    tmux('send-keys', '-t', 'learn', 'q');
    await waitFor('the goodbye', (t) => t.includes('bye: your work is in'), 30_000);
    // And the process ends, with status 0: nothing (a watcher, the keyboard) keeps it alive.
    const ended = await waitFor('learn to exit', (t) => /learn exited with \d+/.test(t), 30_000);
    expect(ended).toContain('learn exited with 0');
  }, 300_000);
});
