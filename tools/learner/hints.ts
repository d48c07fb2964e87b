/**
 * A milestone's hints.md, split into its numbered hints so they can be shown one at a time: the text before the
 * first numbered item is the heading, each `N. ...` item with its indented continuation lines is one hint.
 */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';

export interface Hints {
  readonly heading: string;
  readonly items: readonly string[];
  readonly file: string;
}

export function readHints(milestoneDir: string): Hints | undefined {
  const file = path.join(milestoneDir, 'hints.md');
  if (!existsSync(file)) return undefined;
  return parseHints(readFileSync(file, 'utf8'), file);
}

export function parseHints(text: string, file: string): Hints {
  const heading: string[] = [];
  const items: string[][] = [];
  for (const line of text.split('\n')) {
    if (/^<!--.*-->$/.test(line.trim())) continue; // the generator's provenance line, not part of the hints
    if (/^\d+\.\s/.test(line)) items.push([line]);
    else if (items.length > 0) items[items.length - 1]!.push(line);
    else heading.push(line);
  }
  return { heading: heading.join('\n').trim(), items: items.map((l) => l.join('\n').trimEnd()), file };
}
