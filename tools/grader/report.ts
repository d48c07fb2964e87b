/**
 * Writing a grade out: a markdown report for the student, the JSON result, Gradescope's results.json (so the
 * same grader runs as a Gradescope autograder or in a GitHub Classroom workflow), and the roster CSV of a batch.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { GradeResult } from './grade.ts';
import type { Visibility } from './points.ts';

export type Format = 'md' | 'json' | 'gradescope';
export const FORMATS: readonly Format[] = ['md', 'json', 'gradescope'];
export const FILE_NAMES: Readonly<Record<Format, string>> = {
  md: 'report.md',
  json: 'result.json',
  gradescope: 'results.json',
};

const cell = (text: string): string => text.replace(/\|/g, '\\|').replace(/\n/g, ' ');

export function markdownReport(r: GradeResult): string {
  const out: string[] = [];
  out.push(`# Grade: ${r.student}`, '');
  out.push(`**${r.score} / ${r.maxScore} points (${r.percent}%)**${r.status === 'ok' ? '' : ` — ${r.status}`}`, '');
  out.push(
    `Graded ${r.gradedAt} with the canonical checkpoint tests${r.options.hidden ? ' and the hidden tests' : ''}; each milestone ran in its own process${r.options.sandbox ? ' in a sandbox' : ' (not sandboxed)'}, limited to ${r.options.timeoutS} s and ${r.options.memoryMb} MB of heap.`,
    '',
  );
  for (const note of r.notes) out.push(`- ${note}`);
  out.push('', '| milestone | points | tests passed | status |', '|---|---:|---:|---|');
  for (const m of r.milestones) {
    const hidden = m.hidden ? ` (hidden: ${m.hidden.passed}/${m.hidden.total})` : '';
    const status =
      m.reason ??
      (m.missingFolder
        ? 'no folder in the submission'
        : m.passed === m.total
          ? 'all pass'
          : `${m.total - m.passed} failing`);
    out.push(
      `| ${m.milestone} ${cell(m.title)} | ${m.score} / ${m.maxScore} | ${m.passed}/${m.total}${hidden} | ${cell(status)} |`,
    );
  }
  for (const m of r.milestones) {
    const failing = m.tests.filter((t) => t.status === 'failed' && !t.hidden);
    const hiddenFailing = m.tests.filter((t) => t.status === 'failed' && t.hidden).length;
    if (failing.length === 0 && hiddenFailing === 0 && m.reason === undefined) continue;
    out.push('', `## ${m.milestone}: ${m.score} / ${m.maxScore}`, '');
    if (m.reason !== undefined) out.push(`**${m.reason}**`, '');
    for (const t of failing) {
      out.push(`- ✗ ${t.name} (0 / ${round(t.maxScore)})`);
      if (t.output !== '' && t.output !== m.reason)
        out.push('', '  ```', ...t.output.split('\n').map((l) => `  ${l}`), '  ```');
    }
    if (hiddenFailing > 0) out.push(`- ✗ ${hiddenFailing} hidden test${hiddenFailing === 1 ? '' : 's'} failed`);
  }
  return `${out.join('\n')}\n`;
}

const round = (x: number): number => Math.round(x * 100) / 100;

/**
 * Gradescope's autograder results format (score, max_score, execution_time, tests[] with per-test visibility).
 * Per-test points are whole hundredths (points.ts allocates them so), so they add up exactly to the total.
 */
export function gradescopeResults(r: GradeResult, hiddenVisibility: Visibility): object {
  return {
    score: r.score,
    max_score: r.maxScore,
    execution_time: Math.round(r.durationMs / 1000),
    output: `${r.score} / ${r.maxScore} points. ${r.notes.join(' ')}`,
    output_format: 'text',
    test_output_format: 'text',
    visibility: 'visible',
    stdout_visibility: 'hidden',
    tests: r.milestones.flatMap((m) => {
      if (m.tests.length === 0) {
        return [
          {
            name: `${m.milestone} ${m.title}`,
            score: m.score,
            max_score: m.maxScore,
            status: 'failed',
            output: m.reason ?? 'no tests ran',
            visibility: 'visible',
          },
        ];
      }
      return m.tests.map((t) => ({
        name: t.name.startsWith(`${m.milestone}:`) ? t.name : `${m.milestone}: ${t.name}`,
        score: t.score,
        max_score: t.maxScore,
        status: t.status === 'passed' ? 'passed' : 'failed',
        output: t.hidden
          ? t.status === 'passed'
            ? 'passed'
            : 'failed'
          : [m.reason, t.output].filter((x) => x !== undefined && x !== '').join('\n'),
        visibility: t.hidden ? hiddenVisibility : 'visible',
      }));
    }),
  };
}

/** Write the chosen formats into `dir`; returns the paths written. */
export function writeReports(
  dir: string,
  r: GradeResult,
  formats: readonly Format[],
  hiddenVisibility: Visibility,
): string[] {
  mkdirSync(dir, { recursive: true });
  const written: string[] = [];
  for (const f of formats) {
    const file = path.join(dir, FILE_NAMES[f]);
    const text =
      f === 'md'
        ? markdownReport(r)
        : `${JSON.stringify(f === 'json' ? r : gradescopeResults(r, hiddenVisibility), null, 2)}\n`;
    writeFileSync(file, text);
    written.push(file);
  }
  return written;
}

const csvField = (v: string | number): string => {
  const s = String(v);
  return /[",\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
};

/** One row per student: total, per-milestone scores, status. */
export function rosterCsv(results: readonly GradeResult[], milestoneIds: readonly string[]): string {
  const rows: Array<Array<string | number>> = [['student', 'total', 'max', 'percent', ...milestoneIds, 'status']];
  for (const r of results) {
    const by = new Map(r.milestones.map((m) => [m.milestone, m.score]));
    rows.push([r.student, r.score, r.maxScore, r.percent, ...milestoneIds.map((id) => by.get(id) ?? ''), r.status]);
  }
  return `${rows.map((row) => row.map(csvField).join(',')).join('\n')}\n`;
}
