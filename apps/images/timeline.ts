/**
 * `IMAGES_TIMELINE=1`: the milestones of a run (modules loaded, children forked and ready, folder walked, first
 * and last result, children gone) in milliseconds since the process started, printed on stderr at the end, to
 * see where a whole run's time goes. Off by default; costs nothing then.
 */
const enabled = process.env['IMAGES_TIMELINE'] === '1';
const marks: string[] = [];

/** Note that `what` happened now. */
export function mark(what: string): void {
  if (enabled) marks.push(`${what} ${performance.now().toFixed(0)}`);
}

/** Print the milestones so far (once), if enabled. */
export function printTimeline(): void {
  if (enabled && marks.length > 0) process.stderr.write(`images timeline (ms since start): ${marks.join(', ')}\n`);
  marks.length = 0;
}
