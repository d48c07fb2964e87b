/**
 * How the learner's terminal output looks: colour (off when NO_COLOR is set to anything, or the output is not a
 * terminal, unless FORCE_COLOR asks for it), clickable file links (OSC 8, only in terminals known to support
 * them, or when FORCE_HYPERLINK=1), clearing the screen, and the progress bar.
 */
import { pathToFileURL } from 'node:url';

export interface Style {
  readonly color: boolean;
  readonly links: boolean;
  readonly bold: (text: string) => string;
  readonly dim: (text: string) => string;
  readonly red: (text: string) => string;
  readonly green: (text: string) => string;
  readonly yellow: (text: string) => string;
  readonly cyan: (text: string) => string;
  /** `text`, clickable to open `file` where links are supported. */
  readonly link: (text: string, file: string) => string;
}

type Env = Readonly<Record<string, string | undefined>>;

export function colorEnabled(isTTY: boolean, env: Env = process.env): boolean {
  if (env['NO_COLOR'] !== undefined && env['NO_COLOR'] !== '') return false;
  if (env['FORCE_COLOR'] !== undefined) return env['FORCE_COLOR'] !== '0' && env['FORCE_COLOR'] !== 'false';
  return isTTY && env['TERM'] !== 'dumb';
}

/** Terminals that render OSC 8 hyperlinks (others print them as nothing, but some print garbage: be sure). */
export function hyperlinksEnabled(isTTY: boolean, env: Env = process.env): boolean {
  if (env['FORCE_HYPERLINK'] !== undefined) return env['FORCE_HYPERLINK'] !== '0' && env['FORCE_HYPERLINK'] !== 'false';
  if (!isTTY || env['CI'] !== undefined || env['TERM'] === 'dumb') return false;
  if (['WT_SESSION', 'KONSOLE_VERSION', 'DOMTERM'].some((name) => env[name] !== undefined)) return true;
  if (Number(env['VTE_VERSION'] ?? 0) >= 5000) return true;
  if (env['TERM'] === 'xterm-kitty' || env['TERM'] === 'xterm-ghostty' || env['TERM'] === 'alacritty') return true;
  return ['iTerm.app', 'WezTerm', 'vscode', 'ghostty', 'Hyper', 'Tabby', 'rio'].includes(env['TERM_PROGRAM'] ?? '');
}

export function makeStyle(options: { isTTY?: boolean; env?: Env } = {}): Style {
  const isTTY = options.isTTY ?? process.stdout.isTTY === true;
  const env = options.env ?? process.env;
  const color = colorEnabled(isTTY, env);
  const links = hyperlinksEnabled(isTTY, env);
  const sgr =
    (open: number, close: number) =>
    (text: string): string =>
      color ? `\u001b[${open}m${text}\u001b[${close}m` : text;
  return {
    color,
    links,
    bold: sgr(1, 22),
    dim: sgr(2, 22),
    red: sgr(31, 39),
    green: sgr(32, 39),
    yellow: sgr(33, 39),
    cyan: sgr(36, 39),
    link: (text, file) => (links ? `\u001b]8;;${pathToFileURL(file).href}\u001b\\${text}\u001b]8;;\u001b\\` : text),
  };
}

/** Clears the screen and the scrollback, and puts the cursor top left. */
export const CLEAR_SCREEN = '\u001b[2J\u001b[3J\u001b[H';

/** `Progress: [####>-------] 3/18 milestones done`, the bar `width` characters wide. */
export function progressBar(done: number, total: number, style: Style, width = 40): string {
  const filled = total > 0 ? Math.round((width * done) / total) : 0;
  const head = filled < width ? '>' : '';
  const rest = '-'.repeat(Math.max(0, width - filled - head.length));
  const bar = `${style.green(`${'#'.repeat(filled)}${head}`)}${style.red(rest)}`;
  return `Progress: [${bar}] ${done}/${total} milestones done`;
}
