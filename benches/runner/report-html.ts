/**
 * report.html: the same report as report.md as one self-contained page (inline CSS, inline SVG, a few lines of
 * inline script; nothing loaded from the network), for reading in a browser:
 *
 *   - machine context and warnings at the top, then the verdict counts;
 *   - one compact claims table with a coloured chip per verdict, filters by verdict and by suite (buttons; the
 *     rows that do not match are hidden), and each row's notes folded in a <details>;
 *   - the verdict rules and the chapter's contradictions;
 *   - per suite: its tables and charts (hover a point for its value), then a strip plot per cell showing every
 *     per-process sample behind each interval (one dot per sample, one colour per process; hover for the value);
 *   - cost per cell (wall, CPU, memory), the target against the reference (--target) and the comparison with an
 *     earlier report (--compare, whose machine warnings go to the top), how to reproduce.
 *
 * report-html.test.ts opens it in headless Chromium and clicks the filters.
 */
import { escapeXml } from '../lib/chart.ts';
import { formatSi } from '../lib/table.ts';
import { contradictionLines } from './contradictions.ts';
import { MIN_GROUPS, VERDICT_RULES } from './judge.ts';
import { cellKey } from './analysis.ts';
import {
  claimNotes,
  claimSuite,
  compareLines,
  countVerdicts,
  outlierSummary,
  type RunRecord,
  reproduceLines,
  resourceLines,
  SECTION_HEADINGS,
  shortVerdict,
  targetLines,
  VERDICT_ORDER,
} from './report.ts';
import type { Section } from './suites.ts';
import { type CellResult, SUITE_NAMES } from './types.ts';

const esc = escapeXml;

export const VERDICT_COLOURS: Readonly<Record<(typeof VERDICT_ORDER)[number], string>> = {
  reproduced: '#1a7f37',
  'not reproduced': '#cf222e',
  inconclusive: '#9a6700',
  'holds by construction': '#6639ba',
  'not testable here': '#57606a',
};

const CSS = `
body{font:14px/1.45 system-ui,sans-serif;margin:0 auto;max-width:1200px;padding:16px 24px;color:#1f2328}
h1{font-size:22px;margin:8px 0}h2{font-size:18px;margin:28px 0 8px;border-bottom:1px solid #d0d7de}h3{font-size:15px;margin:18px 0 6px}
table{border-collapse:collapse;margin:6px 0 12px}td,th{border:1px solid #d0d7de;padding:3px 7px;vertical-align:top;text-align:left}
th{background:#f6f8fa}td.num{text-align:right;white-space:nowrap}
.chip{display:inline-block;border-radius:10px;padding:0 8px;color:#fff;font-size:12px;white-space:nowrap}
.warn{background:#fff8c5;border:1px solid #d4a72c;border-radius:6px;padding:6px 10px;margin:6px 0}
.filters{margin:8px 0}.filters button{margin:2px;border:1px solid #d0d7de;background:#f6f8fa;border-radius:12px;padding:2px 10px;cursor:pointer}
.filters button.active{background:#0969da;color:#fff;border-color:#0969da}
details summary{cursor:pointer;color:#0969da}details p{margin:4px 0}
.machine li{margin:0}.strip td{padding:1px 6px}.muted{color:#57606a}svg{max-width:100%;height:auto}
`;

const SCRIPT = `
(function(){
  var state={verdict:'all',suite:'all'};
  function apply(){
    var rows=document.querySelectorAll('#claims tbody tr');var shown=0;
    rows.forEach(function(r){var ok=(state.verdict==='all'||r.dataset.verdict===state.verdict)&&(state.suite==='all'||r.dataset.suite===state.suite);r.hidden=!ok;if(ok)shown++;});
    document.getElementById('shown').textContent=String(shown);
  }
  document.querySelectorAll('.filters button').forEach(function(b){
    b.addEventListener('click',function(){
      var kind=b.dataset.kind;state[kind]=b.dataset.value;
      document.querySelectorAll('.filters button[data-kind="'+kind+'"]').forEach(function(o){o.classList.toggle('active',o===b);});
      apply();
    });
  });
  apply();
})();
`;

function chip(status: string, text: string): string {
  const colour = (VERDICT_COLOURS as Record<string, string>)[status] ?? '#57606a';
  return `<span class="chip" style="background:${colour}">${esc(text)}</span>`;
}

/** Inline markdown of our own reports: **bold**, `code`, [text](link) → text. */
function inline(md: string): string {
  return esc(md)
    .replace(/\*\*([^*]+)\*\*/g, '<b>$1</b>')
    .replace(/`([^`]+)`/g, '<code>$1</code>')
    .replace(/_([^_]+)_/g, (m, t: string) => (/^\w/.test(t) && m.startsWith('_') ? `<i>${t}</i>` : m));
}

/**
 * The small markdown subset that suites.ts and report.ts write: ### headings, pipe tables, "- " lists,
 * `![alt](file.svg)` images (inlined from the section's SVGs), ``` blocks, paragraphs.
 */
export function markdownToHtml(md: string, svgs: ReadonlyMap<string, string> = new Map()): string {
  const out: string[] = [];
  const lines = md.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i] as string;
    if (line.startsWith('```')) {
      const body: string[] = [];
      for (i++; i < lines.length && !(lines[i] as string).startsWith('```'); i++) body.push(lines[i] as string);
      out.push(`<pre>${esc(body.join('\n'))}</pre>`);
    } else if (line.startsWith('|')) {
      const rows: string[][] = [];
      for (; i < lines.length && (lines[i] as string).startsWith('|'); i++) {
        rows.push(
          (lines[i] as string)
            .slice(1, -1)
            .split(/(?<!\\)\|/)
            .map((c) => c.trim().replace(/\\\|/g, '|')),
        );
      }
      i--;
      const [head, , ...body] = rows;
      out.push(
        `<table><thead><tr>${(head ?? []).map((h) => `<th>${inline(h)}</th>`).join('')}</tr></thead><tbody>` +
          body
            .map(
              (r) =>
                `<tr>${r.map((c) => `<td${/^[\d.,\s×x%~≥≤—–[\]µmsk-]+$/.test(c) ? ' class="num"' : ''}>${inline(c)}</td>`).join('')}</tr>`,
            )
            .join('') +
          '</tbody></table>',
      );
    } else if (/^#{2,4} /.test(line)) {
      const level = Math.min(4, line.indexOf(' ') + 1);
      out.push(`<h${level}>${inline(line.replace(/^#+ /, ''))}</h${level}>`);
    } else if (/^!\[[^\]]*\]\(([^)]+)\)/.test(line)) {
      const file = /\(([^)]+)\)/.exec(line)?.[1] ?? '';
      const svg = svgs.get(file);
      out.push(svg ? `<figure>${svg}</figure>` : `<p>${inline(line)}</p>`);
    } else if (/^(- |\d+\. )/.test(line)) {
      const ordered = /^\d+\. /.test(line);
      const items: string[] = [];
      for (; i < lines.length && /^(- |\d+\. )/.test(lines[i] as string); i++)
        items.push((lines[i] as string).replace(/^(- |\d+\. )/, ''));
      i--;
      out.push(
        `<${ordered ? 'ol' : 'ul'}>${items.map((t) => `<li>${inline(t)}</li>`).join('')}</${ordered ? 'ol' : 'ul'}>`,
      );
    } else if (line.startsWith('> ')) {
      out.push(`<div class="warn">${inline(line.slice(2))}</div>`);
    } else if (line.trim() !== '') {
      out.push(`<p>${inline(line)}</p>`);
    }
  }
  return out.join('\n');
}

const PROCESS_COLOURS = ['#0969da', '#cf222e', '#1a7f37', '#9a6700', '#8250df', '#bf3989', '#1b7c83', '#953800'];

/**
 * One strip plot per cell: a row per variant, every sample a dot at its value on the variant's own axis (log when
 * the samples span more than 20×), coloured by the process that produced it; hover shows process, repetition
 * and value. What a markdown table cannot show: how the samples behind a median spread and cluster by process.
 */
export function stripPlot(cell: CellResult): string {
  const variants = Object.entries(cell.samples).filter(([, g]) => g.some((x) => x.length > 0));
  if (variants.length === 0) return '';
  const width = 760;
  const rowH = 26;
  const left = 250;
  const plotW = width - left - 90;
  const out: string[] = [
    `<svg class="strip" xmlns="http://www.w3.org/2000/svg" width="${width}" height="${variants.length * rowH + 8}" font-size="11" font-family="sans-serif">`,
  ];
  variants.forEach(([variant, groups], row) => {
    const all = groups.flat();
    const unit = cell.info[variant]?.unit ?? '';
    const lo = Math.min(...all);
    const hi = Math.max(...all);
    const log = lo > 0 && hi / lo > 20;
    const t = (v: number) => (log ? Math.log10(v) : v);
    const span = t(hi) - t(lo) || 1;
    const x = (v: number) => left + ((t(v) - t(lo)) / span) * plotW;
    const cy = row * rowH + rowH / 2 + 4;
    out.push(`<text x="4" y="${cy + 4}">${esc(variant.length > 40 ? `${variant.slice(0, 39)}…` : variant)}</text>`);
    out.push(`<line x1="${left}" y1="${cy}" x2="${left + plotW}" y2="${cy}" stroke="#d0d7de"/>`);
    groups.forEach((g, p) =>
      g.forEach((v, r) => {
        const colour = PROCESS_COLOURS[p % PROCESS_COLOURS.length];
        out.push(
          `<circle class="sample" cx="${x(v).toFixed(1)}" cy="${(cy + ((p % 3) - 1) * 4).toFixed(1)}" r="3.5" fill="${colour}" fill-opacity="0.75">` +
            `<title>${esc(`${variant}: ${formatSi(v)} ${unit} (process ${p + 1}, repetition ${r + 1})`)}</title></circle>`,
        );
      }),
    );
    out.push(
      `<text x="${left + plotW + 6}" y="${cy + 4}" class="muted" fill="#57606a">${esc(`${formatSi(lo)}–${formatSi(hi)} ${unit}${log ? ' (log)' : ''}`)}</text>`,
    );
  });
  out.push('</svg>');
  return out.join('');
}

export function renderHtml(record: RunRecord, sections: readonly Section[]): string {
  const m = record.machine;
  const chapter = record.claims.filter((c) => c.origin === 'chapter');
  const counts = countVerdicts(chapter);
  const load = (v: number | null) => (v === null ? 'n/a' : v.toFixed(2));
  const p = record.settings.profile;
  const warnings = [...m.warnings, ...(record.comparison?.warnings ?? []).map((w) => `--compare: ${w}`)];
  const marked = record.claims.filter((c) => c.groups !== undefined && c.groups < MIN_GROUPS).length;
  if (marked)
    warnings.push(
      `${marked} claim interval(s) rest on fewer than ${MIN_GROUPS} process groups (marked ‡): read them as rough.`,
    );
  const outliers = outlierSummary(record).map((l) => l.replace(/^- /, ''));
  const body: string[] = [
    '<h1>Threading patterns: benchmark report</h1>',
    '<ul class="machine">',
    `<li>CPU: ${esc(m.cpuModel)}, ${m.logicalCores} logical cores, ${m.availableParallelism} available to Node</li>`,
    `<li>Node ${esc(m.nodeVersion)}, V8 ${esc(m.v8Version)}, ${esc(m.platform)}/${esc(m.arch)}</li>`,
    `<li>Load average (1 min): ${load(m.loadAverage1mBefore)} before, ${load(m.loadAverage1mAfter)} after</li>`,
    `<li>Date: ${esc(m.date)}; commit ${esc(m.git.commit ?? 'n/a')}${m.git.dirty ? ' (dirty)' : ''}</li>`,
    `<li>Profile ${esc(p.name)}: ${p.processes} processes per cell × ${p.reps} repetitions; wall time ${(record.wallMs / 1000).toFixed(1)} s</li>`,
    '</ul>',
    ...warnings.map((w) => `<div class="warn"><b>Warning:</b> ${esc(w)}</div>`),
    ...(outliers.length
      ? [
          `<div class="warn outliers"><details><summary><b>Outliers</b> in ${outliers.length} suite(s)</summary><ul>${outliers.map((o) => `<li>${esc(o)}</li>`).join('')}</ul></details></div>`,
        ]
      : []),
    '<h2>Claims of the chapter</h2>',
    `<p>${chapter.length} claims of the chapter: ${VERDICT_ORDER.map((v) => `${chip(v, v)} ${counts[v] ?? 0}`).join(' ')}</p>`,
    '<details><summary>How verdicts are given</summary><ol>',
    ...VERDICT_RULES.map((r) => `<li>${esc(r)}</li>`),
    '</ol></details>',
    '<div class="filters">verdict: ',
    '<button class="active" data-kind="verdict" data-value="all">all</button>',
    ...VERDICT_ORDER.map((v) => `<button data-kind="verdict" data-value="${esc(v)}">${esc(v)}</button>`),
    '<br>suite: <button class="active" data-kind="suite" data-value="all">all</button>',
    ...SUITE_NAMES.map((s) => `<button data-kind="suite" data-value="${s}">${s}</button>`),
    ` <span class="muted"><span id="shown">${record.claims.length}</span> of ${record.claims.length} claims shown</span></div>`,
    '<table id="claims"><thead><tr><th>#</th><th>claim</th><th>source</th><th>chapter</th><th>measured here [95% CI]</th><th>verdict</th><th>notes</th></tr></thead><tbody>',
  ];
  record.claims.forEach((c, i) => {
    const notes = claimNotes(c);
    body.push(
      `<tr data-verdict="${esc(c.verdict.status)}" data-suite="${claimSuite(c)}"><td class="num">${i + 1}</td><td>${esc(c.text)}</td><td>${esc(c.source)}</td>` +
        `<td class="num">${esc(c.claimText)}</td><td class="num">${esc(c.measuredText)}</td><td>${chip(c.verdict.status, shortVerdict(c))}</td>` +
        `<td>${notes.length ? `<details><summary>${notes.length} note${notes.length === 1 ? '' : 's'}</summary>${notes.map((n) => `<p>${esc(n)}</p>`).join('')}</details>` : ''}</td></tr>`,
    );
  });
  body.push('</tbody></table>');
  body.push('<h2>Where the chapter contradicts itself</h2>', markdownToHtml(contradictionLines().join('\n')));
  for (const s of sections) {
    const svgs = new Map(s.svgs.map((x) => [x.file, x.svg]));
    body.push(
      `<h2>Suite: ${esc(s.suite)}</h2>`,
      `<p class="muted">${esc(s.title)}</p>`,
      markdownToHtml(s.markdown, svgs),
    );
    const cells = record.cells.filter((c) => c.spec.suite === s.suite);
    if (cells.length) {
      body.push('<h3>Every sample behind the intervals (one dot per sample, one colour per process)</h3>');
      for (const c of cells)
        body.push(
          `<details class="strip-cell"><summary>${esc(c.spec.label)} <span class="muted">(${esc(c.spec.id)})</span></summary>${stripPlot(c)}</details>`,
        );
    }
  }
  body.push('<h2>Cost of each cell: wall time, CPU, memory</h2>', markdownToHtml(resourceLines(record).join('\n')));
  const h2 = (heading: string) => `<h2>${esc(heading.replace(/^## /, ''))}</h2>`;
  if (!record.settings.target.isReference) {
    const results = new Map(record.cells.map((c) => [cellKey(c.spec.suite, c.spec.id), c]));
    body.push(h2(SECTION_HEADINGS.target), markdownToHtml(targetLines(record, results).join('\n')));
  }
  if (record.comparison && record.settings.compare) {
    // Its warnings are at the top of the page with the others.
    const lines = compareLines(record.comparison, record.settings.compare).filter((l) => !l.startsWith('> '));
    body.push(h2(SECTION_HEADINGS.compare), markdownToHtml(lines.join('\n')));
  }
  body.push('<h2>How to reproduce</h2>', markdownToHtml(reproduceLines(record).join('\n')));
  return [
    '<!doctype html>',
    '<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">',
    '<title>Threading patterns: benchmark report</title>',
    `<style>${CSS}</style></head><body>`,
    ...body,
    `<script>${SCRIPT}</script>`,
    '</body></html>',
    '',
  ].join('\n');
}
