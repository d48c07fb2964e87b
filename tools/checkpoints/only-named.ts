/**
 * A vitest setup file for the first pass of the wrong-solutions check (tools/exercises/mutants.ts): in a test
 * file under one of the folders named in CHECKPOINTS_ONLY (a JSON object from an absolute folder to parts of
 * test names), only the tests whose full name contains one of the parts run; the others are skipped. Files
 * under no listed folder run whole. The check runs every test of a file whose named tests all passed again.
 */
import path from 'node:path';
import { beforeEach } from 'vitest';

const only = Object.entries(JSON.parse(process.env['CHECKPOINTS_ONLY'] ?? '{}') as Record<string, string[]>);

beforeEach((context) => {
  const file = context.task.file.filepath;
  const entry = only.find(([dir]) => file.startsWith(`${dir}${path.sep}`) || file.startsWith(`${dir}/`));
  if (entry === undefined) return;
  const name = context.task.fullTestName ?? context.task.name;
  if (!entry[1].some((part) => name.includes(part))) context.skip('this pass runs only the tests named for it');
});
