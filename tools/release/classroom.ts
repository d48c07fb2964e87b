/**
 * The GitHub Classroom workflow of the student release (`.github/workflows/classroom.yml`): on every push, one
 * autograding step per milestone runs `npm run check -- pN/mM` in the student's repository and is worth that
 * milestone's points as the grader gives them (course manifest, grading/points.json); the reporter step adds them up for Classroom.
 *
 * What it can promise: a quick, visible progress signal computed by the canonical tests of stubs/. What it cannot:
 * the student owns the repository and can edit this workflow, stubs/ or the checker, so its score is not a
 * grade; the authoritative grade comes from the instructors' grader (grading/README.md).
 */
import { listMilestones, type Milestone } from '../../course/layout.ts';
import { milestonePoints, type PointsConfig } from '../grader/points.ts';

/** The step id of a milestone: 'p1-m1' (Classroom's reporter reads P1-M1_RESULTS). */
export const stepId = (m: Pick<Milestone, 'id'>): string => m.id.replace('/', '-');

const q = (s: string): string => JSON.stringify(s); // a double-quoted YAML scalar

/** The workflow text, for the milestones of `solutions` (the student release has the same ids). */
export function classroomWorkflow(solutions: string, points: PointsConfig): string {
  const milestones = listMilestones(solutions);
  const lines = [
    '# Autograding for GitHub Classroom: one step per milestone, worth the points the grader gives it.',
    '# A progress signal, not the grade: you control this repository; your instructor grades with their own copy.',
    'name: Autograding Tests',
    "'on': [push, workflow_dispatch, repository_dispatch]",
    'permissions:',
    '  checks: write',
    '  actions: read',
    '  contents: read',
    'jobs:',
    '  run-autograding-tests:',
    '    runs-on: ubuntu-latest',
    "    if: github.actor != 'github-classroom[bot]'",
    '    steps:',
    '      - name: Checkout code',
    '        uses: actions/checkout@v4',
    '      - name: Set up Node',
    '        uses: actions/setup-node@v4',
    '        with:',
    "          node-version: '20'",
    '      - name: Install',
    '        run: npm ci --no-audit --no-fund',
  ];
  for (const m of milestones) {
    lines.push(
      `      - name: ${q(`${m.id} checkpoint tests`)}`,
      `        id: ${stepId(m)}`,
      '        uses: classroom-resources/autograding-command-grader@v1',
      '        with:',
      `          test-name: ${q(m.id)}`,
      `          command: ${q(`npm run check -- ${m.id}`)}`,
      '          timeout: 10',
      `          max-score: ${milestonePoints(points, m.id)}`,
    );
  }
  lines.push(
    '      - name: Autograding Reporter',
    '        uses: classroom-resources/autograding-grading-reporter@v1',
    '        env:',
    ...milestones.map(
      (m) => `          ${stepId(m).toUpperCase()}_RESULTS: "\${{ steps.${stepId(m)}.outputs.result }}"`,
    ),
    '        with:',
    `          runners: ${milestones.map(stepId).join(',')}`,
    '',
  );
  return lines.join('\n');
}
