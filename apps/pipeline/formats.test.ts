import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { utc } from './layouts/scan.ts';
import { parseCsv, readCsvRecords } from './csv.ts';
import {
  FORMAT_NAMES,
  FORMAT_OPTIONS,
  LEVEL_TABLE,
  MAX_LINE_LENGTH,
  PARSERS,
  classifyLine,
  cleanLine,
  createParser,
  detectFormat,
  detectLayout,
  prefixedParser,
  reparse,
  isBlankLine,
  isContinuation,
  isFormatOption,
  mapLevel,
  mapLevelWord,
  numericJsonLevel,
  parseApache,
  parseHdfs,
  parseJsonl,
  parseLog4j,
  parseLogcat,
  parsePython,
  parseSimple,
  parseSyslog,
  parserFor,
  resolveFormat,
  syslogSeverityLevel,
  unparsedReason,
} from './formats.ts';
import type { EntryLevel, FormatName, Level, ParsedLine } from './formats.ts';

const LOGS = fileURLToPath(new URL('../../fixtures/logs/', import.meta.url));

function splitLines(text: string): string[] {
  // Split on LF only, so every line keeps its CR: the parsers must cope with it.
  const lines = text.split('\n');
  if (lines.at(-1) === '') lines.pop();
  return lines;
}

function ok(e: ParsedLine | undefined): ParsedLine {
  expect(e).toBeDefined();
  return e!;
}

describe('CSV reader (used for the ground truth)', () => {
  it('handles quoted commas, doubled quotes and CRLF', () => {
    expect(parseCsv('a,b,c\r\n1,"x, y","say ""hi"""\r\n2,"multi\r\nline",z')).toEqual([
      ['a', 'b', 'c'],
      ['1', 'x, y', 'say "hi"'],
      ['2', 'multi\r\nline', 'z'],
    ]);
  });
});

describe('ground truth: loghub fixtures against their _structured.csv', () => {
  interface Case {
    name: string;
    format: FormatName;
    /** The source the line names, from the CSV row (default: none, 'unknown'). */
    sourceOf?: (row: Record<string, string>) => string;
    /** Lines without a level field: every entry is Unknown (and whatever a Level column holds is not a level). */
    noLevel?: boolean;
  }
  const cases: Case[] = [
    { name: 'Apache', format: 'apache' },
    // loghub splits `[thread:Class@line]` at the first ':', so its Component column holds
    // the tail of the thread name plus the class; the class is the part after the last ':'.
    {
      name: 'Zookeeper',
      format: 'log4j',
      sourceOf: (r) => r['Component']!.slice(r['Component']!.lastIndexOf(':') + 1),
    },
    { name: 'HDFS', format: 'hdfs', sourceOf: (r) => r['Component']! },
    { name: 'Android', format: 'logcat', sourceOf: (r) => r['Component']! },
    { name: 'BGL', format: 'bgl', sourceOf: (r) => r['Component']! },
    { name: 'Spark', format: 'log4j', sourceOf: (r) => r['Component']! },
    { name: 'Windows', format: 'cbs', sourceOf: (r) => r['Component']! },
    // loghub's mistake: the Level column of Linux_2k holds the host name ('combo'); see the test below.
    { name: 'Linux', format: 'syslog', sourceOf: (r) => r['Component']!, noLevel: true },
    { name: 'Mac', format: 'syslog', sourceOf: (r) => r['Component']!, noLevel: true },
    // loghub's mistake: the Component column of OpenSSH_2k holds the host ('LabSZ'); the program is sshd.
    { name: 'OpenSSH', format: 'syslog', sourceOf: () => 'sshd', noLevel: true },
  ];

  for (const c of cases) {
    it(`${c.name}_2k.log: detected, every line parsed, levels/sources/messages match`, () => {
      const text = readFileSync(`${LOGS}${c.name}_2k.log`, 'utf8');
      const lines = splitLines(text);
      const rows = readCsvRecords(`${LOGS}${c.name}_2k.log_structured.csv`);
      expect(lines.length).toBe(rows.length);

      const format = detectFormat(lines);
      expect(format).toBe(c.format);
      const parse = parserFor(format);

      const expected = new Map<EntryLevel, number>();
      for (const r of rows) {
        const level = c.noLevel ? 'Unknown' : mapLevel(r['Level']!);
        expect(level, `CSV level ${r['Level']}`).toBeDefined();
        expected.set(level!, (expected.get(level!) ?? 0) + 1);
      }

      const actual = new Map<EntryLevel, number>();
      const unparsed: string[] = [];
      const mismatches: string[] = [];
      lines.forEach((line, k) => {
        const e = parse(line);
        if (e === undefined) {
          unparsed.push(`${k + 1}: ${unparsedReason(line, format)}`);
          return;
        }
        actual.set(e.level, (actual.get(e.level) ?? 0) + 1);
        const row = rows[k]!;
        const want = {
          rawLevel: c.noLevel ? '' : row['Level'],
          message: row['Content'],
          source: c.sourceOf ? c.sourceOf(row) : 'unknown',
        };
        // loghub strips trailing blanks from Content too
        const got = { rawLevel: e.rawLevel, message: e.message, source: e.source };
        if (JSON.stringify(got) !== JSON.stringify(want))
          mismatches.push(`${k + 1}: ${JSON.stringify(got)} != ${JSON.stringify(want)}`);
        expect(e.timestamp).toBeGreaterThan(0);
      });
      expect(unparsed).toEqual([]);
      expect(mismatches.slice(0, 5)).toEqual([]);
      expect(actual).toEqual(expected);
    });
  }

  it("loghub's own parse is wrong in two columns; these are the documented, expected differences", () => {
    // Linux_2k: the "Level" column holds the host name, not a level: the lines carry no level at all.
    const linux = readCsvRecords(`${LOGS}Linux_2k.log_structured.csv`);
    expect(new Set(linux.map((r) => r['Level']))).toEqual(new Set(['combo']));
    expect(mapLevel('combo')).toBeUndefined();
    const linuxLines = splitLines(readFileSync(`${LOGS}Linux_2k.log`, 'utf8'));
    expect(linuxLines.every((l) => / combo /.test(l))).toBe(true);
    // OpenSSH_2k: the "Component" column holds the host ('LabSZ'); the program the line names is sshd.
    const ssh = readCsvRecords(`${LOGS}OpenSSH_2k.log_structured.csv`);
    expect(new Set(ssh.map((r) => r['Component']))).toEqual(new Set(['LabSZ']));
    const sshLines = splitLines(readFileSync(`${LOGS}OpenSSH_2k.log`, 'utf8'));
    expect(sshLines.every((l) => / LabSZ sshd\[\d+\]: /.test(l))).toBe(true);
    expect(new Set(sshLines.map((l) => parseSyslog(l)!.source))).toEqual(new Set(['sshd']));
  });
});

describe('level table', () => {
  it('maps the documented spellings case-insensitively', () => {
    const cases: [string[], Level][] = [
      [['TRACE', 'FINEST', 'FINER', 'FINE', 'VERBOSE', 'V', 'D', 'DEBUG', 'trace1', 'trace8', 'dbg', 'VRB'], 'Debug'],
      [['INFO', 'I', 'NOTICE', 'CONFIG', 'INFORMATION', 'informational', 'INF'], 'Info'],
      [['WARN', 'WARNING', 'W', 'WRN'], 'Warn'],
      [
        [
          'ERROR',
          'ERR',
          'E',
          'SEVERE',
          'FATAL',
          'F',
          'CRITICAL',
          'CRIT',
          'ALERT',
          'EMERG',
          'EMERGENCY',
          'PANIC',
          'A',
          'FTL',
        ],
        'Error',
      ],
    ];
    for (const [spellings, level] of cases) {
      for (const s of spellings) {
        expect(mapLevel(s), s).toBe(level);
        expect(mapLevel(s.toLowerCase()), s).toBe(level);
        expect(mapLevel(s.charAt(0) + s.slice(1).toLowerCase()), s).toBe(level);
        expect(mapLevel(`${s.slice(0, 1).toLowerCase()}${s.slice(1).toUpperCase()}`), s).toBe(level);
      }
    }
    for (const [spelling, level] of Object.entries(LEVEL_TABLE)) expect(mapLevel(spelling)).toBe(level);
  });

  it('rejects unknown spellings and one-letter words where words are expected', () => {
    for (const s of ['', 'NOPE', 'OFF', 'ALL', 'S', 'INFOO', 'WARN ', 'x'.repeat(100)])
      expect(mapLevel(s), s).toBeUndefined();
    expect(mapLevelWord('E')).toBeUndefined();
    expect(mapLevelWord('ERR')).toBe('Error');
  });

  it('maps syslog severities and pino/bunyan numbers', () => {
    expect([0, 1, 2, 3, 4, 5, 6, 7].map(syslogSeverityLevel)).toEqual([
      'Error',
      'Error',
      'Error',
      'Error',
      'Warn',
      'Info',
      'Info',
      'Debug',
    ]);
    expect(syslogSeverityLevel(8)).toBeUndefined();
    expect(syslogSeverityLevel(-1)).toBeUndefined();
    expect([10, 20, 30, 40, 50, 60, 35].map(numericJsonLevel)).toEqual([
      'Debug',
      'Debug',
      'Info',
      'Warn',
      'Error',
      'Error',
      undefined,
    ]);
  });

  it('LEVELS.md lists every spelling of the table with the same level', () => {
    const md = readFileSync(fileURLToPath(new URL('./LEVELS.md', import.meta.url)), 'utf8');
    const documented = new Map<string, string>();
    for (const m of md.matchAll(/^\| `([A-Z0-9]+)` \| (Debug|Info|Warn|Error) \|/gm)) documented.set(m[1]!, m[2]!);
    expect(Object.fromEntries(documented)).toEqual(LEVEL_TABLE);
  });
});

describe('simple layout', () => {
  it('parses LEVEL message, [LEVEL], LEVEL: and an optional source', () => {
    expect(parseSimple('INFO Server started')).toEqual({
      timestamp: 0,
      level: 'Info',
      message: 'Server started',
      source: 'unknown',
      rawLevel: 'INFO',
    });
    expect(parseSimple('[ERROR] db: timeout')).toEqual({
      timestamp: 0,
      level: 'Error',
      message: 'timeout',
      source: 'db',
      rawLevel: 'ERROR',
    });
    expect(ok(parseSimple('warning: disk almost full')).message).toBe('disk almost full');
    expect(ok(parseSimple('warning: disk almost full')).level).toBe('Warn');
    expect(ok(parseSimple('Debug   cache.lru: evicted 3 keys\r')).source).toBe('cache.lru');
    expect(ok(parseSimple('FATAL')).message).toBe('');
    expect(ok(parseSimple('[crit] kernel:')).source).toBe('kernel');
    expect(ok(parseSimple('notice\tall good')).level).toBe('Info');
  });

  it('rejects lines that do not start with a level word', () => {
    for (const l of [
      'Server started',
      'A quick brown fox',
      'I think so',
      'ERROR-prone code',
      '[ERROR db: x',
      'WARNING:root:x',
      ' INFO x',
      '2024 INFO x',
    ]) {
      expect(parseSimple(l), l).toBeUndefined();
    }
  });
});

describe('log4j / logback layout', () => {
  it('parses ZooKeeper lines', () => {
    expect(
      parseLog4j(
        '2015-07-29 17:41:44,747 - INFO  [QuorumPeer[myid=1]/0:0:0:0:0:0:0:0:2181:FastLeaderElection@774] - Notification time out: 3200\r',
      ),
    ).toEqual({
      timestamp: Date.UTC(2015, 6, 29, 17, 41, 44, 747),
      level: 'Info',
      message: 'Notification time out: 3200',
      source: 'FastLeaderElection',
      rawLevel: 'INFO',
    });
    const e = ok(
      parseLog4j(
        '2015-07-30 15:49:09,210 - ERROR [LearnerHandler-/10.10.34.13:37182:LearnerHandler@562] - Unexpected exception causing shutdown while sock still open',
      ),
    );
    expect(e.source).toBe('LearnerHandler');
    expect(e.level).toBe('Error');
  });

  it('parses the common pattern layouts', () => {
    expect(parseLog4j('2024-01-01 12:00:00.123 WARN [main] com.x.Y - disk low')).toEqual({
      timestamp: Date.UTC(2024, 0, 1, 12, 0, 0, 123),
      level: 'Warn',
      message: 'disk low',
      source: 'com.x.Y',
      rawLevel: 'WARN',
    });
    const colon = ok(parseLog4j('2024-01-01 12:00:00.123 INFO  com.x.Y: started in 3 s'));
    expect([colon.source, colon.message]).toEqual(['com.x.Y', 'started in 3 s']);
    const logback = ok(
      parseLog4j('2024-01-01 12:00:00,001 [http-nio-8080-exec-1] DEBUG o.s.web.Servlet - Completed 200 OK'),
    );
    expect([logback.level, logback.source, logback.message]).toEqual(['Debug', 'o.s.web.Servlet', 'Completed 200 OK']);
    const spring = ok(
      parseLog4j(
        '2024-03-04T10:11:12.345Z  INFO 12345 --- [           main] c.e.demo.DemoApplication                 : Started DemoApplication',
      ),
    );
    expect([spring.level, spring.source, spring.message, spring.timestamp]).toEqual([
      'Info',
      'c.e.demo.DemoApplication',
      'Started DemoApplication',
      Date.UTC(2024, 2, 4, 10, 11, 12, 345),
    ]);
    const offset = ok(parseLog4j('2024-03-04T10:11:12+02:00 ERROR boom'));
    expect(offset.timestamp).toBe(Date.UTC(2024, 2, 4, 8, 11, 12));
    expect([offset.source, offset.message]).toEqual(['unknown', 'boom']);
    const fine = ok(parseLog4j('2024-03-04 10:11:12 SEVERE [main] app.Main - it broke'));
    expect(fine.level).toBe('Error');
  });

  it('rejects lines without a timestamp or level', () => {
    expect(parseLog4j('INFO no date')).toBeUndefined();
    expect(parseLog4j('2024-01-01 12:00:00 hello world')).toBeUndefined();
    expect(parseLog4j('2024-13-01 12:00:00 INFO bad month')).toBeUndefined();
    expect(parseLog4j('2024-02-30 12:00:00 INFO bad day')).toBeUndefined();
  });
});

describe('python logging layout', () => {
  it('parses the default basicConfig layout', () => {
    expect(parsePython('WARNING:root:msg')).toEqual({
      timestamp: 0,
      level: 'Warn',
      message: 'msg',
      source: 'root',
      rawLevel: 'WARNING',
    });
    const e = ok(parsePython('CRITICAL:app.db.pool:connection lost: retrying'));
    expect([e.level, e.source, e.message]).toEqual(['Error', 'app.db.pool', 'connection lost: retrying']);
  });

  it('parses "asctime - name - levelname - message"', () => {
    expect(parsePython('2024-05-06 07:08:09,010 - myapp.worker - ERROR - job 7 failed - retrying')).toEqual({
      timestamp: Date.UTC(2024, 4, 6, 7, 8, 9, 10),
      level: 'Error',
      message: 'job 7 failed - retrying',
      source: 'myapp.worker',
      rawLevel: 'ERROR',
    });
    expect(ok(parsePython('2024-05-06 07:08:09,010 - root - INFO - ')).message).toBe('');
  });

  it('rejects other shapes', () => {
    for (const l of [
      'ERROR: db: timeout',
      'HELLO:root:msg',
      '2024-05-06 07:08:09,010 - INFO  [x] - y',
      'WARNING root msg',
    ]) {
      expect(parsePython(l), l).toBeUndefined();
    }
  });
});

describe('apache error log layout', () => {
  it('parses the 2.2 layout', () => {
    expect(
      parseApache('[Sun Dec 04 04:47:44 2005] [notice] workerEnv.init() ok /etc/httpd/conf/workers2.properties'),
    ).toEqual({
      timestamp: Date.UTC(2005, 11, 4, 4, 47, 44),
      level: 'Info',
      message: 'workerEnv.init() ok /etc/httpd/conf/workers2.properties',
      source: 'unknown',
      rawLevel: 'notice',
    });
    const e = ok(
      parseApache(
        '[Mon Dec 05 07:57:02 2005] [error] [client 218.76.139.20] Directory index forbidden by rule: /var/www/html/',
      ),
    );
    expect(e.message).toBe('[client 218.76.139.20] Directory index forbidden by rule: /var/www/html/');
  });

  it('parses the 2.4 layout with module, microseconds and pid', () => {
    expect(
      parseApache('[Wed Oct 11 14:32:52.123456 2023] [core:error] [pid 123] AH00037: Symbolic link not allowed'),
    ).toEqual({
      timestamp: Date.UTC(2023, 9, 11, 14, 32, 52, 123),
      level: 'Error',
      message: 'AH00037: Symbolic link not allowed',
      source: 'core',
      rawLevel: 'error',
    });
    const e = ok(
      parseApache('[Wed Oct 11 14:32:52.123456 2023] [ssl:trace3] [pid 1:tid 140] [client 1.2.3.4:5] handshake'),
    );
    expect([e.level, e.source, e.message]).toEqual(['Debug', 'ssl', '[client 1.2.3.4:5] handshake']);
    expect(ok(parseApache('[Mon Jan  2 03:04:05 2023] [warn] padded day')).timestamp).toBe(
      Date.UTC(2023, 0, 2, 3, 4, 5),
    );
  });

  it('rejects unknown levels and broken dates', () => {
    expect(parseApache('[Sun Dec 04 04:47:44 2005] [loud] x')).toBeUndefined();
    expect(parseApache('[Sun Foo 04 04:47:44 2005] [error] x')).toBeUndefined();
    expect(parseApache('[Sun Dec 04 04:47:44 2005] error x')).toBeUndefined();
  });
});

describe('android logcat layout', () => {
  const year = { year: 2017 };
  it('parses threadtime lines', () => {
    expect(
      createParser('logcat', year)('03-17 16:13:38.811  1702  2395 D WindowManager: printFreezingDisplayLogs'),
    ).toEqual({
      timestamp: Date.UTC(2017, 2, 17, 16, 13, 38, 811),
      level: 'Debug',
      message: 'printFreezingDisplayLogs',
      source: 'WindowManager',
      rawLevel: 'D',
    });
    const parse = parserFor('logcat', year);
    expect(ok(parse('03-17 16:15:10.232  2227  2227 A libc    : Fatal signal 6')).level).toBe('Error');
    expect(ok(parse('03-17 16:15:10.232  2227  2227 A libc    : Fatal signal 6')).source).toBe('libc');
    expect(ok(parse('03-17 16:15:10.232 12345 12399 W ActivityManager: Slow operation: 52ms')).message).toBe(
      'Slow operation: 52ms',
    );
    expect(ok(parse('03-17 16:15:10.232  1  1 I init:')).message).toBe('');
    const withYear = ok(parse('2019-03-17 16:15:10.232  1  1 V chatty: uid=1000'));
    expect(withYear.timestamp).toBe(Date.UTC(2019, 2, 17, 16, 15, 10, 232));
  });

  it('defaults the year to the current UTC year', () => {
    const e = ok(parseLogcat('01-02 03:04:05.006  1  2 I tag: m'));
    expect(new Date(e.timestamp).getUTCFullYear()).toBe(new Date().getUTCFullYear());
  });

  it('rejects unknown letters and lines without a tag', () => {
    expect(parseLogcat('03-17 16:13:38.811  1702  2395 S Silent: x')).toBeUndefined();
    expect(parseLogcat('03-17 16:13:38.811  1702  2395 D no tag separator')).toBeUndefined();
    expect(parseLogcat('D/WindowManager( 1702): brief format')).toBeUndefined();
  });
});

describe('hdfs layout', () => {
  it('parses HDFS lines', () => {
    expect(
      parseHdfs(
        '081109 203615 148 INFO dfs.DataNode$PacketResponder: PacketResponder 1 for block blk_38865049064139660 terminating\r\n',
      ),
    ).toEqual({
      timestamp: Date.UTC(2008, 10, 9, 20, 36, 15),
      level: 'Info',
      message: 'PacketResponder 1 for block blk_38865049064139660 terminating',
      source: 'dfs.DataNode$PacketResponder',
      rawLevel: 'INFO',
    });
    expect(
      ok(parseHdfs('081111 081500 19 WARN dfs.DataNode$DataXceiver: 10.251.30.6:50010:Got exception')).message,
    ).toBe('10.251.30.6:50010:Got exception');
  });

  it('rejects other shapes', () => {
    expect(parseHdfs('081109 203615 148 INFO no component here')).toBeUndefined();
    expect(parseHdfs('081109 203615 148 LOUD dfs.X: y')).toBeUndefined();
    expect(parseHdfs('081399 203615 148 INFO dfs.X: bad month')).toBeUndefined();
  });
});

describe('syslog layout', () => {
  const parse = parserFor('syslog', { year: 2023 });
  it('parses RFC 3164 lines with severity from PRI', () => {
    expect(parse("<34>Oct 11 22:14:15 mymachine su[123]: 'su root' failed for lonvick on /dev/pts/8")).toEqual({
      timestamp: Date.UTC(2023, 9, 11, 22, 14, 15),
      level: 'Error',
      message: "'su root' failed for lonvick on /dev/pts/8",
      source: 'su',
      rawLevel: 'crit',
    });
    expect(ok(parse('<13>Feb  5 17:32:18 10.0.0.99 myapp: use the BFG!')).timestamp).toBe(
      Date.UTC(2023, 1, 5, 17, 32, 18),
    );
    expect(ok(parse('<12>Feb  5 17:32:18 host kernel: x')).level).toBe('Warn');
    expect(ok(parse('<30>Feb  5 17:32:18 host systemd[1]: Started')).level).toBe('Info');
    expect(ok(parse('<191>Feb  5 17:32:18 host cron[9]: tick')).level).toBe('Debug');
    const noTag = ok(parse('<14>Feb  5 17:32:18 host just a message'));
    expect([noTag.source, noTag.message]).toEqual(['unknown', 'just a message']);
    const noHost = ok(parse('<14>Feb  5 17:32:18 app[7]: msg'));
    expect([noHost.source, noHost.message]).toEqual(['app', 'msg']);
    const iso = ok(parse('<11>2024-01-02T03:04:05Z host app: iso stamp'));
    expect([iso.timestamp, iso.level]).toEqual([Date.UTC(2024, 0, 2, 3, 4, 5), 'Error']);
  });

  it('parses RFC 5424 lines', () => {
    expect(
      parseSyslog(
        '<165>1 2003-10-11T22:14:15.003Z mymachine.example.com evntslog - ID47 - An application event log entry',
      ),
    ).toEqual({
      timestamp: Date.UTC(2003, 9, 11, 22, 14, 15, 3),
      level: 'Info',
      message: 'An application event log entry',
      source: 'evntslog',
      rawLevel: 'notice',
    });
    const sd = ok(
      parseSyslog(
        '<165>1 2003-10-11T22:14:15.003-07:00 host app 123 ID47 [exampleSDID@32473 iut="3" eventSource="Appl\\]ication"][x@1 a="b"] \uFEFFAn event',
      ),
    );
    expect([sd.message, sd.timestamp, sd.source]).toEqual(['An event', Date.UTC(2003, 9, 12, 5, 14, 15, 3), 'app']);
    const nil = ok(parseSyslog('<7>1 - - - - - -'));
    expect([nil.timestamp, nil.source, nil.message, nil.level]).toEqual([0, 'unknown', '', 'Debug']);
  });

  it('reads syslog files without PRI as level Unknown, with the program as source', () => {
    const year = new Date().getUTCFullYear();
    expect(parseSyslog('Oct 11 22:14:15 host app: x')).toEqual({
      timestamp: Date.UTC(year, 9, 11, 22, 14, 15),
      level: 'Unknown',
      rawLevel: '',
      message: 'x',
      source: 'app',
    });
    expect(ok(parseSyslog('Jul  1 09:01:05 mac com.apple.CDScheduler[43]: Thermal')).source).toBe(
      'com.apple.CDScheduler',
    );
    expect(ok(parseSyslog('Jul  2 16:55:53 mac com.apple.xpc.launchd[1] (com.apple.x.32502): Path')).message).toBe(
      'Path',
    );
    expect(ok(parseSyslog('Jul  4 23:22:09 mac Microsoft Word[14463]: Cocoa')).source).toBe('Microsoft Word');
    expect(ok(parseSyslog('2024-05-01T12:00:00.5+02:00 web nginx[7]: up')).timestamp).toBe(
      Date.UTC(2024, 4, 1, 10, 0, 0, 500),
    );
    // without a program, or with a level word where the host would be, it is not a syslog line
    expect(parseSyslog('Oct 11 22:14:15 host just some words here')).toBeUndefined();
    expect(parseSyslog('2024-05-01T12:00:00Z INFO app: started')).toBeUndefined();
    expect(parseSyslog('2024-05-01 12:00:00 web nginx[7]: up')).toBeUndefined();
  });

  it('rejects bad PRI', () => {
    expect(parseSyslog('<192>Oct 11 22:14:15 host app: x')).toBeUndefined();
    expect(parseSyslog('<34>1 2003-10-11T22:14:15Z host app 1 ID [unterminated')).toBeUndefined();
  });
});

describe('jsonl layout', () => {
  it('parses the common key spellings', () => {
    expect(parseJsonl('{"level":"warn","msg":"disk low","time":1700000000000,"logger":"fs"}')).toEqual({
      timestamp: 1700000000000,
      level: 'Warn',
      message: 'disk low',
      source: 'fs',
      rawLevel: 'warn',
    });
    const a = ok(
      parseJsonl('{"severity":"ERROR","message":"boom","@timestamp":"2024-01-02T03:04:05.678Z","component":"api"}'),
    );
    expect([a.level, a.message, a.timestamp, a.source]).toEqual([
      'Error',
      'boom',
      Date.UTC(2024, 0, 2, 3, 4, 5, 678),
      'api',
    ]);
    const zap = ok(parseJsonl('{"lvl":"info","ts":1700000000.25,"msg":"hi","source":"main.go:12"}'));
    expect([zap.timestamp, zap.source]).toEqual([1700000000250, 'main.go:12']);
    const py = ok(
      parseJsonl('{"levelname":"CRITICAL","name":"app","message":"x","timestamp":"2024-01-02 03:04:05,006"}'),
    );
    expect([py.level, py.source, py.timestamp]).toEqual(['Error', 'app', Date.UTC(2024, 0, 2, 3, 4, 5, 6)]);
    const pino = ok(parseJsonl('{"level":30,"time":1700000000001,"pid":1,"hostname":"h","msg":"listening"}'));
    expect([pino.level, pino.rawLevel, pino.source]).toEqual(['Info', '30', 'unknown']);
    const obj = ok(parseJsonl('{"level":"debug","msg":{"a":1}}'));
    expect([obj.message, obj.timestamp]).toEqual(['{"a":1}', 0]);
  });

  it('a container log wraps a log line: its level and logger come from the inner line, the time from the JSON', () => {
    const docker = ok(
      parseJsonl(
        '{"log":"2024-01-01 12:00:00,123 WARN [main] com.x.Pool - pool low\\n","stream":"stdout","time":"2024-05-01T10:00:00.5Z"}',
      ),
    );
    expect([docker.level, docker.source, docker.message, docker.timestamp]).toEqual([
      'Warn',
      'com.x.Pool',
      'pool low',
      Date.UTC(2024, 4, 1, 10, 0, 0, 500),
    ]);
    expect(
      parseJsonl('{"log":"[ERROR] db: timeout\\n","stream":"stderr","time":"2024-05-01T10:00:01Z"}'),
    ).toMatchObject({
      level: 'Error',
      source: 'db',
      message: 'timeout',
    });
    expect(parseJsonl('{"msg":"INFO api up","time":1700000000}')).toMatchObject({ level: 'Info', message: 'api up' });
    // no level inside either: Unknown, message as it is; an object's own level key always wins
    expect(parseJsonl('{"log":"listening on :8080","time":1700000000}')).toMatchObject({
      level: 'Unknown',
      message: 'listening on :8080',
    });
    expect(parseJsonl('{"level":"info","msg":"ERROR is only a word here"}')).toMatchObject({ level: 'Info' });
    const lines = ['{"log":"INFO a\\n","stream":"stdout","time":"2024-05-01T10:00:00Z"}'];
    expect(detectLayout([...lines, ...lines])).toEqual({ format: 'jsonl', prefix: 0 });
  });

  it('rejects non-objects, bad JSON and missing or unknown levels', () => {
    expect(parseJsonl('{"msg":"no level"}')).toMatchObject({ level: 'Unknown', rawLevel: '', message: 'no level' });
    expect(parseJsonl('{"time":"2024-01-02T03:04:05Z","event":"x"}')).toMatchObject({
      level: 'Unknown',
      timestamp: Date.UTC(2024, 0, 2, 3, 4, 5),
    });
    for (const l of [
      '[1,2]',
      '{"a":1}',
      '{"level":"loud","msg":"x"}',
      '{"level":35}',
      '{"level":"info"',
      'null',
      '{"level":"E","msg":"x"}',
    ]) {
      expect(parseJsonl(l), l).toBeUndefined();
    }
  });
});

describe('detection', () => {
  const samples: Record<FormatName, string[]> = {
    simple: ['INFO Server started', '[ERROR] db: timeout', 'WARN slow request'],
    log4j: ['2024-01-01 12:00:00.123 WARN [main] com.x.Y - msg', '2024-01-01 12:00:01.000 INFO  com.x.Y: msg'],
    python: ['WARNING:root:msg', 'INFO:app:started', '2024-01-01 12:00:00,123 - app - DEBUG - x'],
    apache: ['[Sun Dec 04 04:47:44 2005] [notice] ok', '[Sun Dec 04 04:47:44 2005] [error] bad'],
    logcat: ['03-17 16:13:38.811  1702  2395 D WindowManager: x', '03-17 16:13:38.811  1702  2395 I Tag: y'],
    hdfs: ['081109 203615 148 INFO dfs.DataNode: x', '081109 203615 148 WARN dfs.FSNamesystem: y'],
    syslog: ['<34>Oct 11 22:14:15 host app[1]: x', '<165>1 2003-10-11T22:14:15.003Z h a - - - y'],
    jsonl: ['{"level":"info","msg":"a"}', '{"level":"warn","msg":"b"}'],
    logfmt: ['time=2024-05-01T12:00:00Z level=warn logger=db msg="slow query"', 'ts=1 lvl=info msg=ok'],
    bgl: [
      '- 1117838570 2005.06.03 R02-M1-N0-C:J12-U11 2005-06-03-15.42.50.675872 R02-M1-N0-C:J12-U11 RAS KERNEL INFO ok',
      'APPREAD 1117869872 2005.06.04 R04-M1-N4-I:J18-U11 2005-06-04-00.24.32.432192 R04-M1-N4-I:J18-U11 RAS APP FATAL x',
    ],
    cbs: ['2016-09-28 04:30:30, Info                  CBS    Loaded', '2016-09-28 04:30:31, Error  CSI    00000001 x'],
    glog: ['I0102 15:04:05.000000    1234 main.go:42] Starting', 'E0102 15:04:06.000000    1234 main.go:43] Failed'],
    generic: [
      'x.log 2017-05-16 00:00:00.008 25746 INFO nova.api [req-1] GET',
      '127.0.0.1 - - [10/Oct/2000:13:55:36 -0700] "GET /"',
    ],
  };

  it('recognises every layout from a small sample', () => {
    for (const format of FORMAT_NAMES) expect(detectFormat(['', ...samples[format], '  \r']), format).toBe(format);
  });

  it('goes by majority and ignores blank lines', () => {
    const mixed = [...samples.hdfs, ...samples.hdfs, 'garbage', ...samples.simple];
    expect(detectFormat(mixed)).toBe('hdfs');
    expect(detectFormat(['', '', 'nothing here'])).toBe('simple');
    expect(detectFormat([])).toBe('simple');
  });

  it('only looks at the first 50 non-blank lines', () => {
    const lines = [...Array(50).fill('INFO simple line'), ...Array(200).fill(samples.hdfs[0]!)];
    expect(detectFormat(lines)).toBe('simple');
  });

  it('exposes the CLI names and resolves auto', () => {
    expect(FORMAT_OPTIONS).toEqual([
      'auto',
      'simple',
      'log4j',
      'python',
      'apache',
      'logcat',
      'hdfs',
      'syslog',
      'jsonl',
      'logfmt',
      'bgl',
      'cbs',
      'glog',
      'generic',
    ]);
    expect(isFormatOption('auto')).toBe(true);
    expect(isFormatOption('csv')).toBe(false);
    expect(resolveFormat('auto', samples.apache)).toBe('apache');
    expect(resolveFormat('jsonl', samples.apache)).toBe('jsonl');
    for (const f of FORMAT_NAMES) expect(parserFor(f)).toBe(PARSERS[f]);
  });

  it('every parser accepts only its own sample lines (generic, the fallback, takes every line with a timestamp)', () => {
    const specific = FORMAT_NAMES.filter((f) => f !== 'generic');
    for (const owner of FORMAT_NAMES) {
      for (const line of samples[owner]) {
        for (const f of specific) {
          expect(PARSERS[f](line) !== undefined, `${f} on ${owner} line ${line}`).toBe(f === owner);
        }
      }
    }
    for (const owner of ['log4j', 'apache', 'logcat', 'hdfs', 'bgl', 'cbs', 'generic'] as const) {
      for (const line of samples[owner]) expect(PARSERS.generic(line), `generic on ${line}`).toBeDefined();
    }
    for (const line of [...samples.simple, ...samples.jsonl, 'WARNING:root:msg'])
      expect(PARSERS.generic(line), line).toBeUndefined();
  });
});

describe('layouts nobody wrote a module for (generic) and prefixes', () => {
  // One line of each, repeated: what detection picks, and the level and source of the first line.
  const cases: Array<[string, string, FormatName, number, string, string]> = [
    [
      'file-name prefix, pid before the level (OpenStack)',
      'nova-api.log.1.2017-05-16_13:53:08 2017-05-16 00:00:00.008 25746 INFO nova.osapi_compute.wsgi.server [req-1] "GET /" status: 200',
      'generic',
      0,
      'Info',
      'nova.osapi_compute.wsgi.server',
    ],
    [
      'host prefix before a known layout',
      'node7 2015-07-29 17:41:44,747 - WARN  [main:QuorumPeer@913] - x',
      'log4j',
      1,
      'Warn',
      'QuorumPeer',
    ],
    [
      'access log: no level',
      '127.0.0.1 - frank [10/Oct/2000:13:55:36 -0700] "GET /a.gif HTTP/1.0" 200 2326',
      'generic',
      0,
      'Unknown',
      'unknown',
    ],
    [
      'time of day only, bracketed thread (logback default)',
      '12:00:01.123 [main] ERROR com.example.Db - Timeout',
      'generic',
      0,
      'Error',
      'com.example.Db',
    ],
    [
      'bracketed level after a slash date (nginx)',
      '2024/01/01 12:00:00 [warn] 123#0: conflicting server name',
      'generic',
      0,
      'Warn',
      'unknown',
    ],
    [
      'bracketed short level after a zone (Serilog)',
      '2024-01-01 12:00:00.123 +00:00 [WRN] Slow',
      'generic',
      0,
      'Warn',
      'unknown',
    ],
    [
      'level with a colon (PostgreSQL)',
      '2024-01-01 12:00:00.123 UTC [124] ERROR:  relation "x" does not exist',
      'generic',
      0,
      'Error',
      'unknown',
    ],
    ['Go log: date, no level', '2024/01/01 12:00:00 server listening on :8080', 'generic', 0, 'Unknown', 'unknown'],
    [
      'level=value inside a line',
      '2024-01-01T12:00:00Z pid=3 level=error component=x boom',
      'generic',
      0,
      'Error',
      'unknown',
    ],
    [
      'syslog file with RFC 3339 time',
      '2024-05-01T12:00:00.123456+02:00 web nginx[7]: up',
      'syslog',
      0,
      'Unknown',
      'nginx',
    ],
    ['klog', 'E0102 15:04:06.000000    1234 main.go:43] Failed', 'glog', 0, 'Error', 'main.go'],
    [
      'compact date, |-separated header (a phone health app)',
      '20190304-08:15:02:117|Step_Counter|4021|onStepChanged 120',
      'generic',
      0,
      'Unknown',
      'Step_Counter',
    ],
    [
      '|-separated header with a level',
      '2024-01-01 12:00:00.5|WARN|billing|card declined',
      'generic',
      0,
      'Warn',
      'billing',
    ],
    [
      'Unix seconds after four fields (a cluster event log)',
      '88231 node-12 unix.hw state_change.up 1077804742 1 Component State Change: fan ok',
      'generic',
      0,
      'Unknown',
      'Component State Change',
    ],
    [
      'bracketed month.day time, no year (a proxy client)',
      '[03.14 09:26:53] firefox.exe - relay.example.org:1080 open through proxy relay.example.org:1080 SOCKS5',
      'generic',
      0,
      'Unknown',
      'unknown',
    ],
    [
      "Ruby's Logger: a severity letter, the time and pid in brackets, '-- progname:'",
      'E, [2024-03-14T09:26:53.120311 #4711] ERROR -- mailer: SMTP timeout',
      'generic',
      0,
      'Error',
      'mailer',
    ],
    [
      'level inside the brackets that open with the time (a task queue)',
      '[2024-03-14 09:26:53,120: WARNING/ForkPoolWorker-2] Task retry: connection reset',
      'generic',
      0,
      'Warn',
      'unknown',
    ],
    [
      'dd-Mmm-yyyy time with a zone in brackets (a PHP error log)',
      '[14-Mar-2024 09:26:53 UTC] PHP Notice:  Undefined index: id in /srv/a.php on line 9',
      'generic',
      0,
      'Info',
      'unknown',
    ],
    [
      'day.month.year time (European)',
      '14.03.2024 09:26:53,120 ERROR backup.Job: disk full',
      'generic',
      0,
      'Error',
      'backup.Job',
    ],
  ];
  for (const [what, line, format, prefix, level, source] of cases) {
    it(what, () => {
      expect(detectLayout([line, line, line])).toEqual({ format, prefix });
      const e = ok(prefixedParser(format, prefix)(line));
      expect([e.level, e.source]).toEqual([level, source]);
    });
  }

  it('coloured lines (ANSI escapes) are detected and parsed without their colours', () => {
    const line = '2024-01-01 12:00:00.123 \x1b[33mWARN\x1b[0m [main] com.x.Y - slow';
    expect(detectLayout([line, line])).toEqual({ format: 'log4j', prefix: 0 });
    expect(parseLog4j(line)).toBeUndefined();
    expect(reparse(line, 'log4j')).toMatchObject({ level: 'Warn', source: 'com.x.Y', message: 'slow' });
  });

  it('compact and dotted dates give their time (UTC); impossible dates are not dates', () => {
    expect(PARSERS.generic('20190304-08:15:02:117|C|1|m')?.timestamp).toBe(Date.UTC(2019, 2, 4, 8, 15, 2, 117));
    expect(PARSERS.generic('14.03.2024 09:26:53,12 INFO x')?.timestamp).toBe(Date.UTC(2024, 2, 14, 9, 26, 53, 120));
    expect(PARSERS.generic('20191304-08:15:02|C|1|m')).toBeUndefined();
    // not a date: the field is then a prefix, and the time of day after it (no date: 0) is the timestamp
    expect(PARSERS.generic('31.02.2024 09:26:53 INFO x')?.timestamp).toBe(0);
  });

  it('a bracket that opens with the time may hold more; dd-Mmm-yyyy gives its time', () => {
    expect(PARSERS.generic('[14-Mar-2024 09:26:53 UTC] x')?.timestamp).toBe(Date.UTC(2024, 2, 14, 9, 26, 53));
    expect(PARSERS.generic('I, [2024-03-14T09:26:53.120311 #4711]  INFO -- : booted')).toMatchObject({
      level: 'Info',
      message: 'booted',
    });
    // a bracket that merely holds digits after the time is still not a level
    expect(PARSERS.generic('[2024-03-14 09:26:53 #12] started')?.level).toBe('Unknown');
  });

  it('separated headers: the message stays whole (quoted CSV, a | inside a message)', () => {
    expect(PARSERS.generic('2024-01-01 12:00:01,ERROR,db,"lost, retrying ""now"""')).toMatchObject({
      level: 'Error',
      source: 'db',
      message: 'lost, retrying "now"',
    });
    expect(PARSERS.generic('2024-01-01 12:00:01,INFO,api,started')).toMatchObject({
      level: 'Info',
      source: 'api',
      message: 'started',
    });
    expect(PARSERS.generic('20190304-08:15:02:117|Svc|7|took a|b split')).toMatchObject({
      level: 'Unknown',
      source: 'Svc',
      message: 'took a|b split',
    });
  });

  it('an exception line of a stack trace is a continuation; other unparsed lines are not', () => {
    for (const line of [
      'ValueError: bad value',
      'java.lang.IllegalStateException: closed',
      'KeyboardInterrupt',
      'SystemExit',
      'my.pkg.CustomError:',
    ])
      expect(isContinuation(line), line).toBe(true);
    for (const line of ['Error in module x', 'ErrorCount: 3 things', 'hello world', 'Exceptional: no', 'DB-Error: x'])
      expect(isContinuation(line), line).toBe(false);
  });

  it('free text and continuation lines are not log records', () => {
    for (const line of ['hello world', '\tat com.x.Y.z(Y.java:12)', 'Caused by: java.io.IOException', '---', '12345']) {
      expect(PARSERS.generic(line), line).toBeUndefined();
    }
  });

  it('a mixed file is detected by its best layout and every line still parses (re-check)', () => {
    const lines = [
      '2015-07-29 17:41:44,747 - INFO  [main:QuorumPeer@913] - x',
      '03-17 16:13:38.811  1702  2395 D WM: y',
      '{"level":"error","msg":"z"}',
    ];
    const { format, prefix } = detectLayout(lines);
    expect(format).not.toBe('generic');
    for (const line of lines) expect(prefixedParser(format, prefix)(line) ?? reparse(line, format), line).toBeDefined();
    // an unknown level in the file's own layout stays a dead letter: generic does not take it as Unknown
    expect(reparse('[Sun Dec 04 04:47:44 2005] [loud] x', 'apache')).toBeUndefined();
  });
});

describe('robustness', () => {
  it('strips CR and trailing whitespace, and a leading BOM', () => {
    expect(cleanLine('INFO x  \t\r\n')).toBe('INFO x');
    expect(cleanLine('\uFEFFINFO x')).toBe('INFO x');
    const line = 'INFO x';
    expect(cleanLine(line)).toBe(line);
    expect(ok(parseSimple('\uFEFFINFO hello \r')).message).toBe('hello');
  });

  it('reports blank lines as blank, not malformed', () => {
    for (const l of ['', '\r', '   ', '\t \r\n', '\uFEFF']) {
      expect(isBlankLine(l)).toBe(true);
      for (const f of FORMAT_NAMES) {
        expect(PARSERS[f](l)).toBeUndefined();
        expect(classifyLine(l, f)).toEqual({ kind: 'blank' });
        expect(unparsedReason(l, f)).toBe('blank line');
      }
    }
    expect(isBlankLine(' x ')).toBe(false);
  });

  it('gives short dead-letter reasons', () => {
    expect(classifyLine('INFO ok', 'simple')).toMatchObject({ kind: 'entry', entry: { level: 'Info' } });
    expect(classifyLine('hello there', 'simple')).toEqual({ kind: 'malformed', reason: 'no level found' });
    expect(unparsedReason('TRACE9 x', 'simple')).toBe('unknown level "TRACE9"');
    expect(unparsedReason('INFO:x', 'simple')).toBe('level not followed by a space');
    expect(unparsedReason('[LOUD] x', 'simple')).toBe('unknown level "LOUD"');
    expect(unparsedReason(': x', 'simple')).toBe('no level found');
    expect(unparsedReason('2015-07-29 17:41:44,747 - LOUD  [t:C@1] - x', 'log4j')).toBe('unknown level "LOUD"');
    expect(unparsedReason('no date', 'log4j')).toMatch(/no leading timestamp/);
    expect(unparsedReason('[Sun Dec 04 04:47:44 2005] [loud] x', 'apache')).toBe('unknown level "loud"');
    expect(unparsedReason('03-17 16:13:38.811  1702  2395 S Tag: x', 'logcat')).toBe('unknown level "S"');
    expect(unparsedReason('081109 203615 148 LOUD dfs.X: y', 'hdfs')).toBe('unknown level "LOUD"');
    expect(unparsedReason('NOTICE:root:x', 'python')).toMatch(/not a python line|unknown level/);
    expect(unparsedReason('HELLO:root:x', 'python')).toBe('unknown level "HELLO"');
    expect(unparsedReason('{"level":"loud"}', 'jsonl')).toBe('unknown level "loud"');
    expect(unparsedReason('{"a":"x"}', 'jsonl')).toBe('no level, message or time key');
    expect(unparsedReason('{"level":', 'jsonl')).toBe('invalid JSON');
    expect(unparsedReason('Oct 11 22:14:15 host some words', 'syslog')).toBe(
      'not a syslog line (no "host program[pid]:")',
    );
    expect(unparsedReason('hello', 'syslog')).toBe('not a syslog line (no <PRI> or date)');
    expect(unparsedReason('hello', 'generic')).toBe('no timestamp or level found');
    expect(unparsedReason('- 1117838570 2005.06.03 R02 2005-06-03-15.42.50.675872 R02 RAS KERNEL LOUD x', 'bgl')).toBe(
      'unknown level "LOUD"',
    );
    expect(unparsedReason('level=loud msg=x', 'logfmt')).toBe('unknown level "loud"');
    expect(unparsedReason('<999>Oct 11 22:14:15 host app: x', 'syslog')).toBe('syslog PRI out of range');
    expect(unparsedReason('x'.repeat(MAX_LINE_LENGTH + 1), 'simple')).toBe(
      `line longer than ${MAX_LINE_LENGTH} characters`,
    );
    expect(unparsedReason('INFO x'.padEnd(100, 'y'), 'simple', 50)).toBe('line longer than 50 characters');
    const longTok = unparsedReason(`${'Z'.repeat(100)} x`, 'simple');
    expect(longTok.length).toBeLessThan(60);
  });

  it('handles 1 MB lines quickly, in every layout, matching or not', () => {
    const big = 'x'.repeat(1_000_000);
    const shapes: Record<FormatName, string> = {
      simple: `INFO ${big}`,
      log4j: `2024-01-01 12:00:00.123 WARN [main] com.x.Y - ${big}`,
      python: `2024-01-01 12:00:00,123 - app - WARNING - ${big}`,
      apache: `[Sun Dec 04 04:47:44 2005] [error] ${big}`,
      logcat: `03-17 16:13:38.811  1702  2395 D Tag: ${big}`,
      hdfs: `081109 203615 148 INFO dfs.X: ${big}`,
      syslog: `<34>Oct 11 22:14:15 host app[1]: ${big}`,
      jsonl: `{"level":"info","msg":"${big}"}`,
      logfmt: `level=info msg=${big}`,
      bgl: `- 1117838570 2005.06.03 R02 2005-06-03-15.42.50.675872 R02 RAS KERNEL INFO ${big}`,
      cbs: `2016-09-28 04:30:30, Info   CBS    ${big}`,
      glog: `W0102 15:04:05.000000 1 a.go:1] ${big}`,
      generic: `host 2017-05-16 00:00:00.008 25746 INFO nova.api ${big}`,
    };
    // Adversarial shapes: long runs of the characters the scanners look for.
    const nasty = [
      big,
      ' '.repeat(1_000_000),
      '['.repeat(1_000_000),
      `[${'a'.repeat(1_000_000)}`,
      `2024-01-01 12:00:00 ${'['.repeat(500_000)}`,
      `2024-01-01 12:00:00 ${'a'.repeat(1_000_000)}`,
      `2024-01-01 12:00:00 [${'a'.repeat(1_000_000)}`,
      `2024-01-01 12:00:00,123 - ${'a'.repeat(1_000_000)}`,
      `03-17 16:13:38.811  1702  2395 D ${'a'.repeat(1_000_000)}`,
      `081109 203615 148 INFO ${'a'.repeat(1_000_000)}`,
      `<34>1 2003-10-11T22:14:15Z h a p m [${'"'.repeat(1_000_000)}`,
      `<34>Oct 11 22:14:15 ${'h'.repeat(1_000_000)}`,
      `{${'"a":1,'.repeat(150_000)}`,
      `${'9'.repeat(1_000_000)}`,
      `${'- '.repeat(500_000)}`,
    ];
    const t0 = performance.now();
    for (const f of FORMAT_NAMES) {
      const e = PARSERS[f](shapes[f]);
      expect(e?.message.length, f).toBe(1_000_000);
      for (const line of nasty) {
        // generic takes a line with a timestamp (after up to three prefix fields) and no level, as level
        // Unknown; every other layout refuses all of these
        if (f !== 'generic' || !/\d/.test(line)) {
          expect(PARSERS[f](line) === undefined, `${f} on ${line.slice(0, 30)}`).toBe(true);
        }
        expect(typeof unparsedReason(line, f)).toBe('string');
      }
    }
    expect(performance.now() - t0).toBeLessThan(5_000);
    // over the cap
    const huge = `INFO ${'x'.repeat(MAX_LINE_LENGTH)}`;
    for (const f of FORMAT_NAMES) expect(PARSERS[f](huge) === undefined).toBe(true);
    expect(createParser('simple', { maxLineLength: 2 * MAX_LINE_LENGTH })(huge) !== undefined).toBe(true);
    expect(createParser('simple', { maxLineLength: 10 })('INFO 123456')).toBeUndefined();
  });

  it('survives replacement characters, NULs and random binary', () => {
    expect(ok(parseHdfs('081109 203615 148 INFO dfs.X: caf\uFFFD \u0000 bytes')).message).toBe(
      'caf\uFFFD \u0000 bytes',
    );
    expect(ok(parseSimple('ERROR \uFFFD\uFFFD\uFFFD')).message).toBe('\uFFFD\uFFFD\uFFFD');
    // deterministic pseudo-random bytes decoded as UTF-8 (invalid sequences -> U+FFFD)
    let seed = 12345;
    const rand = () => ((seed = (seed * 1103515245 + 12345) >>> 0) >>> 16) & 0xff;
    const decoder = new TextDecoder('utf-8');
    for (let n = 0; n < 300; n++) {
      const bytes = new Uint8Array(1 + (n % 200));
      for (let k = 0; k < bytes.length; k++) bytes[k] = rand();
      const text = decoder.decode(bytes);
      for (const line of text.split('\n')) {
        for (const f of FORMAT_NAMES) {
          expect(() => classifyLine(line, f)).not.toThrow();
          const prefixed = ['INFO ', '081109 203615 148 INFO x: ', '{"level":"info","msg":'][n % 3]! + line;
          expect(() => classifyLine(prefixed, f)).not.toThrow();
        }
      }
    }
    expect(() => detectFormat(['\u0000\u0001\uFFFD', '\uD800', '{"level":"\uD800"}'])).not.toThrow();
  });
});

describe('utc (the timestamp arithmetic every layout shares)', () => {
  it('agrees with Date.UTC on dates that change between calls, back and forth, leap days included', () => {
    const dates: Array<[number, number, number]> = [];
    for (let y = 1999; y <= 2031; y += 4) {
      for (let mo = 1; mo <= 12; mo++) dates.push([y, mo, 1], [y, mo, 28]);
      dates.push([y, 2, 29], [y + 1, 12, 31], [y + 2, 3, 1]);
    }
    dates.push([2000, 2, 29], [1970, 1, 1], [2008, 11, 9], [2008, 11, 9], [2008, 11, 10], [2008, 11, 9]);
    for (const [y, mo, d] of dates) {
      for (const [h, mi, s, ms] of [
        [0, 0, 0, 0],
        [23, 59, 59, 999],
        [12, 30, 5, 7],
      ] as const) {
        expect(utc(y, mo, d, h, mi, s, ms), `${y}-${mo}-${d} ${h}:${mi}:${s}.${ms}`).toBe(
          Date.UTC(y, mo - 1, d, h, mi, s, ms),
        );
      }
    }
  });

  it('an impossible field gives NaN, and does not disturb the next date', () => {
    expect(utc(2008, 13, 1, 0, 0, 0, 0)).toBeNaN();
    expect(utc(2008, 4, 31, 0, 0, 0, 0)).toBeNaN();
    expect(utc(2008, 4, 30, 24, 0, 0, 0)).toBeNaN();
    expect(utc(2008, 4, 30, 1, 2, 3, 4)).toBe(Date.UTC(2008, 3, 30, 1, 2, 3, 4));
  });
});
