import { describe, expect, it } from 'vitest';
import { formatSi } from './table.ts';
import { escapeXml, linearTicks, logTicks, renderAsciiChart, renderSvgChart, seriesMark } from './chart.ts';

// eslint-disable-next-line no-control-regex
const ANSI = /\x1b\[[0-9;]*m/g;
const chars = (s: string) => Array.from(s);

function axisColumn(lines: string[]): number {
  const tickLine = lines.find((l) => l.includes('└')) as string;
  return chars(tickLine).indexOf('└');
}

describe('renderAsciiChart', () => {
  const threads = [1, 2, 4, 8, 16];
  const mutex = { name: 'Mutex<Vec>', values: [1.2e6, 0.9e6, 0.5e6, 0.4e6, 0.3e6] };
  const channel = { name: 'channel', values: [1e6, 1.5e6, 2.1e6, 2.0e6, 1.9e6] };

  it('has a tick under every point and the x labels centred on the ticks', () => {
    const out = renderAsciiChart([mutex, channel], { xLabels: threads, height: 8, spacing: 5 });
    const lines = out.split('\n');
    const axis = axisColumn(lines);
    const tickLine = chars(lines.find((l) => l.includes('└')) as string);
    const tickCols = tickLine.flatMap((c, i) => (c === '┬' || c === '└' ? [i] : []));
    expect(tickCols).toEqual([0, 1, 2, 3, 4].map((i) => axis + i * 5));
    const labelLine = lines[lines.indexOf(tickLine.join('')) + 1] as string;
    for (const [i, t] of threads.entries()) {
      // one- and two-character labels start on their tick (centred with the extra character to the right)
      expect(labelLine.slice(axis + i * 5, axis + i * 5 + String(t).length)).toBe(String(t));
    }
  });

  it('places point i at column axis + i·spacing', () => {
    const out = renderAsciiChart([{ name: 'up', values: [0, 10, 20] }], {
      xLabels: ['a', 'b', 'c'],
      height: 10,
      spacing: 6,
    });
    const lines = out.split('\n');
    const axis = axisColumn(lines);
    const plot = lines.slice(
      0,
      lines.findIndex((l) => l.includes('└')),
    );
    // the top row holds the last point (20), drawn at exactly axis + 2·6, with nothing after it
    const top = chars(plot[0] as string);
    expect(top.length).toBe(axis + 12 + 1);
    expect(top[axis + 12]).not.toBe(' ');
    // the bottom row holds the first point: '┼' on the axis
    expect(chars(plot[plot.length - 1] as string)[axis]).toBe('┼');
    // every plot row has its axis in the same column
    for (const row of plot) expect(['┤', '┼']).toContain(chars(row)[axis]);
  });

  it('prints the title, axis titles and a legend with one distinct mark per series', () => {
    const out = renderAsciiChart([mutex, channel], {
      xLabels: threads,
      title: 'Throughput',
      xTitle: 'threads',
      yTitle: 'ops/s',
    });
    const lines = out.split('\n');
    expect(lines[0]).toBe('Throughput');
    expect(lines[1]?.trim()).toBe('ops/s');
    expect(out).toContain('16  threads');
    const legend = lines[lines.length - 1] as string;
    expect(legend).toContain(`${seriesMark(0)} Mutex<Vec>`);
    expect(legend).toContain(`${seriesMark(1)} channel`);
    expect(seriesMark(0)).not.toBe(seriesMark(1));
    // both series' line characters appear in the plot
    expect(out).toContain('━');
    expect(out).toMatch(/[╭╮╰╯─]/);
  });

  it('y labels use SI suffixes and are right-aligned to one width', () => {
    const out = renderAsciiChart([mutex], { xLabels: threads, height: 4 });
    const plot = out.split('\n').slice(0, 5);
    expect(plot[0]).toMatch(/^\s*1\.20M ┼?┤?/);
    expect(plot[plot.length - 1]).toMatch(/300k/);
    const axisCols = plot.map((l) => chars(l).findIndex((c) => c === '┤' || c === '┼'));
    expect(new Set(axisCols).size).toBe(1);
  });

  it('no ANSI codes without colour; codes and reset with colour', () => {
    expect(renderAsciiChart([mutex, channel], { xLabels: threads })).not.toMatch(ANSI);
    const colored = renderAsciiChart([mutex, channel], { xLabels: threads, color: true });
    expect(colored).toMatch(ANSI);
    expect(colored.replace(ANSI, '')).toBe(renderAsciiChart([mutex, channel], { xLabels: threads }));
  });

  it('leaves out a label that would touch its neighbour', () => {
    const out = renderAsciiChart([{ name: 's', values: [1, 2, 3] }], { xLabels: ['1000', '2000', '3000'], spacing: 3 });
    const labelLine = out.split('\n').at(-2) as string;
    expect(labelLine).toContain('1000');
    expect(labelLine).not.toContain('2000');
    expect(labelLine).toContain('3000');
  });

  it('a series may stop before the last label; a flat series still gets real y labels', () => {
    const out = renderAsciiChart([{ name: 'flat', values: [5, 5] }], { xLabels: [1, 2, 4] });
    expect(out).toContain('5.00');
    expect(out).toContain('4');
  });

  it('clamps values outside an explicit min/max instead of crashing', () => {
    const out = renderAsciiChart([{ name: 'a', values: [0, 50, 100] }], {
      xLabels: [1, 2, 3],
      min: 10,
      max: 60,
      height: 5,
    });
    expect(out).toContain('60.0');
    expect(out).toContain('10.0');
  });

  it('log scale plots log10 but labels show the values', () => {
    const out = renderAsciiChart([{ name: 'n', values: [1, 10, 100, 1000] }], {
      xLabels: [1, 2, 3, 4],
      logY: true,
      height: 6,
    });
    expect(out).toMatch(/1\.00k/);
    expect(out).toMatch(/ 1\.00 /);
    expect(out).toMatch(/31\.6/);
  });

  it('rejects bad input', () => {
    expect(() => renderAsciiChart([], { xLabels: [1] })).toThrow(RangeError);
    expect(() => renderAsciiChart([{ name: 'a', values: [] }], { xLabels: [1] })).toThrow(RangeError);
    expect(() => renderAsciiChart([{ name: 'a', values: [1, 2] }], { xLabels: [1] })).toThrow(/more values/);
    expect(() => renderAsciiChart([{ name: 'a', values: [Number.NaN] }], { xLabels: [1] })).toThrow(RangeError);
    expect(() => renderAsciiChart([{ name: 'a', values: [0, 1] }], { xLabels: [1, 2], logY: true })).toThrow(
      /positive/,
    );
    expect(() => renderAsciiChart([{ name: 'a', values: [1] }], { xLabels: [1], spacing: 0 })).toThrow(RangeError);
    expect(() => renderAsciiChart([{ name: 'a', values: [1] }], { xLabels: [] })).toThrow(RangeError);
    expect(() => renderAsciiChart([{ name: 'a', values: [1, 2] }], { xLabels: [1, 2], logY: true, min: 0 })).toThrow(
      /positive/,
    );
    expect(() => renderAsciiChart([{ name: 'a', values: [1, 2] }], { xLabels: [1, 2], min: 3, max: 2 })).toThrow(
      /max < min/,
    );
  });
});

// ---------------------------------------------------------------------------------------------------------------

interface XmlElement {
  name: string;
  attrs: Record<string, string>;
  children: XmlElement[];
  text: string;
}

/**
 * A deliberately strict mini XML parser for the subset the chart writer emits: tags with double-quoted attributes,
 * self-closing tags, text without raw "<" or unescaped "&". Throws on anything unbalanced or malformed.
 */
function parseXml(src: string): XmlElement {
  const tag = /<(\/?)([A-Za-z][\w:-]*)((?:\s+[\w:-]+="[^"<]*")*)\s*(\/?)>/y;
  const attr = /([\w:-]+)="([^"]*)"/g;
  const stack: XmlElement[] = [];
  let root: XmlElement | undefined;
  let i = 0;
  while (i < src.length) {
    if (src[i] === '<') {
      tag.lastIndex = i;
      const m = tag.exec(src);
      if (!m) throw new Error(`malformed tag at ${i}: ${src.slice(i, i + 40)}`);
      const [, closing, name, attrText, selfClosing] = m as unknown as [string, string, string, string, string];
      i = tag.lastIndex;
      if (closing) {
        const open = stack.pop();
        if (!open || open.name !== name) throw new Error(`unbalanced </${name}>`);
        continue;
      }
      const el: XmlElement = { name, attrs: {}, children: [], text: '' };
      for (const a of attrText.matchAll(attr)) el.attrs[a[1] as string] = a[2] as string;
      const parent = stack.at(-1);
      if (parent) parent.children.push(el);
      else if (root) throw new Error('more than one root element');
      else root = el;
      if (!selfClosing) stack.push(el);
    } else {
      const next = src.indexOf('<', i);
      const text = src.slice(i, next === -1 ? src.length : next);
      if (/&(?!(amp|lt|gt|quot|apos);)/.test(text)) throw new Error(`unescaped & in ${text}`);
      const parent = stack.at(-1);
      if (parent) parent.text += text;
      else if (text.trim() !== '') throw new Error('text outside the root');
      i = next === -1 ? src.length : next;
    }
  }
  if (stack.length > 0) throw new Error(`unclosed <${stack.at(-1)?.name}>`);
  if (!root) throw new Error('no root');
  return root;
}

function all(el: XmlElement, pred: (e: XmlElement) => boolean): XmlElement[] {
  return [...(pred(el) ? [el] : []), ...el.children.flatMap((c) => all(c, pred))];
}
const byClass = (root: XmlElement, cls: string) => all(root, (e) => e.attrs.class === cls);
const unescapeXml = (s: string) =>
  s
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&quot;/g, '"')
    .replace(/&apos;/g, "'")
    .replace(/&amp;/g, '&');

describe('the test XML parser itself', () => {
  it('rejects unbalanced and malformed documents', () => {
    expect(() => parseXml('<svg><g></svg>')).toThrow();
    expect(() => parseXml('<svg><g>')).toThrow();
    expect(() => parseXml('<svg a=b></svg>')).toThrow();
    expect(() => parseXml('<svg>a & b</svg>')).toThrow();
    expect(() => parseXml('<svg/><svg/>')).toThrow();
    expect(parseXml('<svg a="1"><g/><text>x &amp; y</text></svg>').children).toHaveLength(2);
  });
});

describe('renderSvgChart', () => {
  const spec = {
    kind: 'line' as const,
    title: 'Channel vs Mutex<Vec> & friends',
    xTitle: 'threads',
    yTitle: 'ops/s',
    xLabels: [1, 2, 4, 8, 16],
    series: [
      {
        name: 'channel',
        values: [1e6, 1.5e6, 2.1e6, 2e6, 1.9e6],
        low: [0.9e6, 1.4e6, 2e6, 1.8e6, 1.7e6],
        high: [1.1e6, 1.6e6, 2.2e6, 2.2e6, 2.1e6],
      },
      { name: 'Mutex<Vec>', values: [1.2e6, 0.9e6, null, 0.4e6, 0.3e6] },
    ],
  };

  it('is a well-formed svg with title, axes, x labels, legend and error bars', () => {
    const svg = renderSvgChart(spec);
    const root = parseXml(svg);
    expect(root.name).toBe('svg');
    expect(root.attrs.xmlns).toBe('http://www.w3.org/2000/svg');
    expect(root.attrs.viewBox).toBe('0 0 720 420');
    const title = root.children.find((c) => c.name === 'title');
    expect(unescapeXml(title?.text ?? '')).toBe('Channel vs Mutex<Vec> & friends');
    expect(byClass(root, 'x-label').map((e) => e.text)).toEqual(['1', '2', '4', '8', '16']);
    expect(byClass(root, 'legend-label').map((e) => unescapeXml(e.text))).toEqual(['channel', 'Mutex<Vec>']);
    expect(byClass(root, 'x-title')[0]?.text).toBe('threads');
    expect(byClass(root, 'y-title')[0]?.text).toBe('ops/s');
    expect(byClass(root, 'error-bar')).toHaveLength(5);
    expect(byClass(root, 'y-tick').length).toBeGreaterThanOrEqual(3);
    expect(byClass(root, 'y-tick')[0]?.text).toBe('0');
  });

  it('a null value breaks the line and drops its point', () => {
    const root = parseXml(renderSvgChart(spec));
    const [channel, mutex] = byClass(root, 'series');
    expect(channel?.children.filter((c) => c.name === 'polyline')).toHaveLength(1);
    expect(channel?.children.filter((c) => c.name === 'circle')).toHaveLength(5);
    expect(mutex?.children.filter((c) => c.name === 'polyline')).toHaveLength(2);
    expect(mutex?.children.filter((c) => c.name === 'circle')).toHaveLength(4);
    expect(mutex?.attrs['data-name']).toBe('Mutex&lt;Vec&gt;');
  });

  it('points move up the page as values grow, and error bars span low..high', () => {
    const root = parseXml(renderSvgChart(spec));
    const circles = byClass(root, 'series')[0]?.children.filter((c) => c.name === 'circle') ?? [];
    const cy = circles.map((c) => Number(c.attrs.cy));
    expect(cy[2]).toBeLessThan(cy[0] as number); // 2.1M is higher on the page than 1M
    const bar = byClass(root, 'error-bar')[0]?.children[0];
    expect(Number(bar?.attrs.y1)).toBeGreaterThan(cy[0] as number); // low below the point
    expect(Number(bar?.attrs.y2)).toBeLessThan(cy[0] as number); // high above it
  });

  it('bar charts draw one rect per non-null value, grouped side by side', () => {
    const root = parseXml(renderSvgChart({ ...spec, kind: 'bar' }));
    const bars = byClass(root, 'bar');
    expect(bars).toHaveLength(9);
    const [a, b] = [bars[0], bars[5]]; // first category of each series
    expect(Number(b?.attrs.x)).toBeGreaterThan(Number(a?.attrs.x));
    for (const r of bars) expect(Number(r.attrs.height)).toBeGreaterThan(0);
  });

  it('log scale: power-of-ten ticks, positive values only', () => {
    const svg = renderSvgChart({
      kind: 'line',
      xLabels: ['a', 'b', 'c'],
      series: [{ name: 's', values: [1, 100, 10_000] }],
      logY: true,
    });
    const ticks = byClass(parseXml(svg), 'y-tick').map((e) => e.text);
    expect(ticks).toEqual(['1.00', '10.0', '100', '1.00k', '10.0k']);
    expect(() =>
      renderSvgChart({ kind: 'line', xLabels: ['a'], series: [{ name: 's', values: [0] }], logY: true }),
    ).toThrow(/positive/);
    expect(() =>
      renderSvgChart({
        kind: 'line',
        xLabels: ['a'],
        series: [{ name: 's', values: [1], low: [-1], high: [2] }],
        logY: true,
      }),
    ).toThrow(/positive/);
  });

  it('log scale off the decades: the axis widens to whole decades, one label per decade, titled "log scale"', () => {
    // Throughputs between 5M and 20M/s: ticks computed before widening would give 5M, 10M, 20M and no 1M or 100M.
    const svg = renderSvgChart({
      kind: 'line',
      xLabels: [1, 2, 4],
      series: [{ name: 's', values: [5e6, 2e7, 1.2e7] }],
      logY: true,
      yTitle: 'ops/s',
    });
    const doc = parseXml(svg);
    expect(byClass(doc, 'y-tick').map((e) => e.text)).toEqual(['1.00M', '10.0M', '100M']);
    expect(svg).toContain('ops/s (log scale)');
  });

  it('rejects bad input', () => {
    expect(() => renderSvgChart({ kind: 'line', xLabels: [1], series: [] })).toThrow(RangeError);
    expect(() => renderSvgChart({ kind: 'line', xLabels: [], series: [{ name: 'a', values: [] }] })).toThrow(
      RangeError,
    );
    expect(() => renderSvgChart({ kind: 'line', xLabels: [1], series: [{ name: 'a', values: [1, 2] }] })).toThrow(
      RangeError,
    );
    expect(() => renderSvgChart({ kind: 'line', xLabels: [1], series: [{ name: 'a', values: [Infinity] }] })).toThrow(
      RangeError,
    );
    expect(() => renderSvgChart({ kind: 'line', xLabels: [1], series: [{ name: 'a', values: [null] }] })).toThrow(
      /null/,
    );
    expect(() =>
      renderSvgChart({ kind: 'line', xLabels: [1], series: [{ name: 'a', values: [1] }], width: 50 }),
    ).toThrow(/too small/);
  });

  it('a single constant value still renders', () => {
    expect(() =>
      parseXml(renderSvgChart({ kind: 'bar', xLabels: ['x'], series: [{ name: 'a', values: [5] }] })),
    ).not.toThrow();
  });
});

describe('ticks and escaping', () => {
  it('linear ticks are nice round steps covering the range', () => {
    expect(linearTicks(0, 10)).toEqual([0, 2, 4, 6, 8, 10]);
    expect(linearTicks(0, 2.1e6)).toEqual([0, 500_000, 1_000_000, 1_500_000, 2_000_000]);
    expect(linearTicks(3, 3)).toEqual([3]);
    expect(linearTicks(0.1, 0.35)).toEqual([0.1, 0.15, 0.2, 0.25, 0.3, 0.35]);
  });

  it('log ticks', () => {
    expect(logTicks(1, 1000)).toEqual([1, 10, 100, 1000]);
    expect(logTicks(1, 50)).toEqual([1, 2, 5, 10, 20, 50]);
    expect(() => logTicks(0, 1)).toThrow(RangeError);
  });

  it('escapeXml', () => {
    expect(escapeXml(`<a href="x">&'`)).toBe('&lt;a href=&quot;x&quot;&gt;&amp;&apos;');
  });
});

describe('renderSvgChart log scale', () => {
  it('widens to whole decades, labels every decade and says "log scale"', () => {
    const svg = renderSvgChart({
      kind: 'line',
      xLabels: [1, 2, 4],
      series: [{ name: 'ops', values: [1.5e6, 8e6, 6e7] }],
      yTitle: 'ops/s',
      logY: true,
    });
    const ticks = [...svg.matchAll(/class="y-tick"[^>]*>([^<]*)</g)].map((m) => m[1]);
    expect(ticks).toEqual([formatSi(1e6), formatSi(1e7), formatSi(1e8)]);
    expect(svg).toContain('ops/s (log scale)');
  });

  it('gives every point a hover title with its value and interval', () => {
    const svg = renderSvgChart({
      kind: 'line',
      xLabels: ['a'],
      series: [{ name: 's', values: [2000], low: [1000], high: [3000] }],
    });
    expect(svg).toContain(`><title>s at a: ${formatSi(2000)} [${formatSi(1000)}–${formatSi(3000)}]</title></circle>`);
  });
});
