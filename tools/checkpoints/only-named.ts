/**
 * A vitest setup file for the first pass of the wrong-solutions check (tools/exercises/mutants.ts): in a test
 * file under one of the folders named in CHECKPOINTS_ONLY (a JSON object from an absolute folder to a part of a
 * test name), only the tests whose full name contains that part run; the others are skipped. Files under no
 * listed folder run whole. The check runs every test of a file whose named tests all passed again, whole.
 */
import path from 'node:path';
import { beforeEach } from 'vitest';

const only = Object.entries(JSON.parse(process.env['CHECKPOINTS_ONLY'] ?? '{}') as Record<string, string>);

beforeEach((context) => {
  const file = context.task.file.filepath;
  const entry = only.find(([dir]) => file.startsWith(`${dir}${path.sep}`) || file.startsWith(`${dir}/`));
  if (entry === undefined) return;
  const name = context.task.fullTestName ?? context.task.name;
  if (!name.includes(entry[1])) context.skip(`this pass runs only the tests named '${entry[1]}'`);
});
