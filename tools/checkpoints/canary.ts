/**
 * The canary of a graded checkpoint run, loaded as a vitest setup file (vitest.checkpoints.config.ts adds it
 * when CHECKPOINTS_CANARY holds a nonce). In every test file it adds two tests that run after the file's imports,
 * so after the submission's modules have loaded: one with a known-false expectation (it must be reported as
 * failed, with vitest's own message naming both values) and one with a known-true one (it must pass). After the
 * file's last test a hook repeats both checks and, when the framework still tells true from false, throws a
 * marker error that the runner expects to see. A submission that switches assertions off, makes every test pass
 * or swallows errors loses one of these signals, and the runner reports the run as tampered with instead of
 * scoring it. This guards against tampering with the framework as a class; it is not proof against code written
 * to recognise this very canary (the runner's README says what is and is not promised).
 */
import { afterAll, expect, test } from 'vitest';

const nonce = process.env['CHECKPOINTS_CANARY'];
if (nonce !== undefined && nonce !== '') {
  test(`[canary ${nonce}] known false`, () => {
    expect(`${nonce}-left`).toBe(`${nonce}-right`);
  });
  test(`[canary ${nonce}] known true`, () => {
    expect(`${nonce}-same`).toBe(`${nonce}-same`);
  });
  afterAll(() => {
    let falseFails = false;
    try {
      expect(`${nonce}-left`).toBe(`${nonce}-right`);
    } catch (error) {
      falseFails = String((error as Error).message).includes(`${nonce}-right`);
    }
    expect(`${nonce}-same`).toBe(`${nonce}-same`);
    if (falseFails) throw new Error(`[canary ${nonce}] after the last test: ok`);
  });
}
