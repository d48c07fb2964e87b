/**
 * Hidden tests for p1/m1 (instructors only; see grading/README.md). The grader copies this folder into the
 * milestone's folder as `__hidden__/`, so the code under test is one level up.
 */
import { describe, expect, test } from 'vitest';
import { LogLevel, parseLogLine } from '../log-entry.ts';

describe('p1/m1 hidden: parseLogLine edge cases', () => {
  test('the message keeps its inner and trailing spaces', () => {
    expect(parseLogLine('WARN  two  spaces ')?.message).toBe(' two  spaces ');
    expect(parseLogLine('ERROR x')?.level).toBe(LogLevel.Error);
  });
  test('levels are case-sensitive and must be followed by a space', () => {
    expect(parseLogLine('warn disk')).toBeUndefined();
    expect(parseLogLine('INFO')).toBeUndefined();
    expect(parseLogLine('INFO\tx')).toBeUndefined();
  });
  test('an empty message after the space is still an entry', () => {
    expect(parseLogLine('DEBUG ')).toMatchObject({ level: LogLevel.Debug, message: '', source: 'unknown' });
  });
});
