/** The `jsonl` layout: one JSON object per line (pino, bunyan, zap, structlog, Serilog compact, ...). */
import {
  type EntryLevel,
  type Layout,
  type Level,
  mapLevelWord,
  numericJsonLevel,
  type ParsedLine,
  UNKNOWN_LEVEL,
} from './levels.ts';
import { genericLayout } from './generic.ts';
import { cleanLine, diagnosisHead, entry, isoMs, readIsoTimestamp, shown } from './scan.ts';
import { simpleLayout } from './simple.ts';

export const JSON_LEVEL_KEYS = ['level', 'lvl', 'severity', 'levelname'] as const;
export const JSON_MESSAGE_KEYS = ['msg', 'message', 'log'] as const;
export const JSON_TIME_KEYS = ['time', 'timestamp', 'ts', '@timestamp'] as const;
export const JSON_SOURCE_KEYS = ['logger', 'source', 'name', 'component'] as const;

type JsonObject = Record<string, unknown>;

function firstKey(obj: JsonObject, keys: readonly string[]): unknown {
  for (const k of keys) {
    const v = obj[k];
    if (v !== undefined && v !== null) return v;
  }
  return undefined;
}

/**
 * JSON time value to epoch ms: numbers below 1e11 are seconds (zap/structlog style,
 * fractions allowed), larger ones milliseconds. Strings are read as ISO 8601 (zone-less
 * ones as UTC, like everywhere else here); other strings fall back to `Date.parse`, which
 * is only machine-independent when they name a zone. Unusable values give 0.
 */
function jsonTime(v: unknown): number {
  if (typeof v === 'number') {
    if (!Number.isFinite(v) || v <= 0) return 0;
    return v < 1e11 ? Math.round(v * 1000) : Math.round(v);
  }
  if (typeof v === 'string') {
    const e = readIsoTimestamp(v, 0);
    if (e === v.length) return isoMs;
    const t = Date.parse(v);
    return Number.isNaN(t) ? 0 : t;
  }
  return 0;
}

/** The raw level spelling and mapped level of a JSON level value, or undefined. */
function jsonLevel(v: unknown): Level | undefined {
  if (typeof v === 'string') return mapLevelWord(v.trim());
  if (typeof v === 'number') return numericJsonLevel(v);
  return undefined;
}

/*
 * One JSON object per line. Keys are looked up in the order of the JSON_*_KEYS lists.
 * Without a level key the entry's level is Unknown (if the object has a message or a time key; otherwise it is
 * not taken for a log record); a level value that is not in the table makes the line unparsed. A missing
 * message becomes '', a non-string one is JSON-encoded.
 *
 * Wrapped lines: a container runtime's JSON log (`{"log":"2024-01-01 12:00:00 INFO api started\n","stream":
 * "stdout","time":…}`, Docker's json-file driver) or any object without a level key whose message is itself a log
 * line: the message is read as a `simple` line (`INFO x`, `[ERROR] x`), then as a `generic` one (a timestamp and
 * a header), and the level and source it names are the entry's; the object's own time and the inner message are
 * kept. A message that neither describes stays as it is, level Unknown.
 */
function parseJsonlWith(
  line: string,
  max: number,
  inner: readonly ((text: string) => ParsedLine | undefined)[],
): ParsedLine | undefined {
  if (line.length > max) return undefined;
  const s = cleanLine(line);
  if (s.charCodeAt(0) !== 123 || s.charCodeAt(s.length - 1) !== 125) return undefined;
  let obj: unknown;
  try {
    obj = JSON.parse(s);
  } catch {
    return undefined;
  }
  if (typeof obj !== 'object' || obj === null || Array.isArray(obj)) return undefined;
  const o = obj as JsonObject;
  const lv = firstKey(o, JSON_LEVEL_KEYS);
  const m = firstKey(o, JSON_MESSAGE_KEYS);
  let level: EntryLevel | undefined;
  if (lv === undefined) {
    // No level key at all: an entry of level Unknown, if the object looks like a log record.
    if (m === undefined && firstKey(o, JSON_TIME_KEYS) === undefined) return undefined;
    level = UNKNOWN_LEVEL;
  } else {
    level = jsonLevel(lv);
    if (level === undefined) return undefined;
  }
  let message = m === undefined ? '' : typeof m === 'string' ? m : JSON.stringify(m);
  const src = firstKey(o, JSON_SOURCE_KEYS);
  let source = typeof src === 'string' && src.length > 0 ? src : 'unknown';
  const time = jsonTime(firstKey(o, JSON_TIME_KEYS));
  if (lv === undefined && typeof m === 'string' && m.length > 0) {
    for (const parse of inner) {
      const wrapped = parse(m);
      if (wrapped === undefined || wrapped.level === UNKNOWN_LEVEL) continue;
      message = wrapped.message;
      if (source === 'unknown') source = wrapped.source;
      return entry(time || wrapped.timestamp, wrapped.level, wrapped.rawLevel, message, source);
    }
  }
  return entry(time, level, lv === undefined ? '' : String(lv), message, source);
}

export function diagnoseJsonl(line: string): string {
  const head = diagnosisHead(line);
  if (head.charCodeAt(0) !== 123) return 'not a JSON object';
  let obj: unknown;
  try {
    obj = JSON.parse(cleanLine(line));
  } catch {
    return 'invalid JSON';
  }
  if (typeof obj !== 'object' || obj === null || Array.isArray(obj)) return 'not a JSON object';
  const lv = firstKey(obj as JsonObject, JSON_LEVEL_KEYS);
  if (lv === undefined) return 'no level, message or time key';
  return `unknown level ${shown(typeof lv === 'string' ? lv : (JSON.stringify(lv) ?? String(lv)))}`;
}

export const jsonlLayout: Layout = {
  name: 'jsonl',
  priority: 100,
  prefixable: false,
  example: '{"time":"2024-05-01T12:00:00Z","level":"warn","logger":"db","msg":"slow query"}',
  create: (options) => {
    const inner = [simpleLayout.create(options), genericLayout.create(options)];
    return (line) => parseJsonlWith(line, options.maxLineLength, inner);
  },
  diagnose: diagnoseJsonl,
};
