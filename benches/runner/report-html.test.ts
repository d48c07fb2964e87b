/**
 * report.html in a real browser: Debian's Chromium (/usr/bin/chromium, installed by .ci/run when missing), driven
 * by playwright-core (no browser download). The page is rendered from the committed sample report's cells,
 * re-judged by the current claims, so the test reads what a user of this commit would read: the number of claim
 * rows, a filter click and the rows left, hover titles on chart points and samples, no network request. It saves
 * a screenshot next to the page (in a temporary folder) for a person to look at.
 */
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { chromium } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { cellKey } from './analysis.ts';
import { CLAIMS } from './claims.ts';
import { judgeAll } from './judge.ts';
import { renderHtml } from './report-html.ts';
import type { RunRecord } from './report.ts';
import { suiteSection } from './suites.ts';
import { repoRoot } from './target.ts';
import type { CellResult } from './types.ts';

const CHROMIUM = process.env['CHROMIUM_PATH'] ?? '/usr/bin/chromium';
const FLAGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
];

function samplePage(dir: string): { file: string; record: RunRecord } {
  const stored = JSON.parse(readFileSync(path.join(repoRoot, 'reports', 'sample', 'report.json'), 'utf8')) as RunRecord;
  const results = new Map<string, CellResult>(stored.cells.map((c) => [cellKey(c.spec.suite, c.spec.id), c]));
  const claims = judgeAll(results, stored.settings.profile, stored.machine.availableParallelism);
  const record: RunRecord = { ...stored, claims };
  const sections = stored.settings.suites.map((s) => suiteSection(s, results));
  const file = path.join(dir, 'report.html');
  writeFileSync(file, renderHtml(record, sections));
  return { file, record };
}

describe('report.html in headless Chromium', () => {
  it('shows every claim, filters by verdict and suite, and loads nothing from the network', async () => {
    expect(existsSync(CHROMIUM), `no browser at ${CHROMIUM}: apt-get install -y chromium (as .ci/run does)`).toBe(true);
    const dir = process.env['BENCH_HTML_DIR'] ?? mkdtempSync(path.join(os.tmpdir(), 'bench-html-'));
    const { file, record } = samplePage(dir);
    const html = readFileSync(file, 'utf8');
    expect(html).not.toMatch(/(src|href)="https?:/);
    const browser = await chromium.launch({ executablePath: CHROMIUM, args: FLAGS, headless: true });
    try {
      const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
      const requests: string[] = [];
      page.on('request', (r) => {
        if (!r.url().startsWith('file:')) requests.push(r.url());
      });
      await page.goto(`file://${file}`);
      const rows = page.locator('#claims tbody tr');
      expect(await rows.count()).toBe(CLAIMS.length);
      const visible = () => page.locator('#claims tbody tr:not([hidden])');
      expect(await visible().count()).toBe(CLAIMS.length);

      // Filter by verdict: only the rows with that verdict are left, and the counter says so.
      const status = 'not testable here';
      const expected = record.claims.filter((c) => c.verdict.status === status).length;
      expect(expected).toBeGreaterThan(0);
      await page.click(`.filters button[data-kind="verdict"][data-value="${status}"]`);
      expect(await visible().count()).toBe(expected);
      const chips = await visible().locator('.chip').allTextContents();
      expect(chips.every((t) => t.startsWith(status))).toBe(true);
      expect(await page.locator('#shown').textContent()).toBe(String(expected));

      // And by suite on top: the intersection.
      await page.click('.filters button[data-kind="suite"][data-value="locks"]');
      const both = record.claims.filter((c) => c.verdict.status === status && c.source.startsWith('p3')).length;
      expect(await visible().count()).toBe(both);
      await page.click('.filters button[data-kind="verdict"][data-value="all"]');
      expect(await visible().count()).toBe(record.claims.filter((c) => c.source.startsWith('p3')).length);
      await page.click('.filters button[data-kind="suite"][data-value="all"]');

      // Notes are folded; hover titles exist on chart points and on samples.
      expect(await page.locator('#claims details[open]').count()).toBe(0);
      expect(await page.locator('figure svg circle title').count()).toBeGreaterThan(0);
      expect(await page.locator('svg.strip circle.sample title').count()).toBeGreaterThan(50);
      // Machine context on top, each warning in its own box.
      for (const w of record.machine.warnings) expect(await page.locator('.warn', { hasText: w }).count()).toBe(1);
      expect(await page.locator('ul.machine li').first().textContent()).toContain(record.machine.cpuModel);

      await page.screenshot({ path: path.join(dir, 'report.png'), fullPage: false });
      expect(existsSync(path.join(dir, 'report.png'))).toBe(true);
      expect(requests).toEqual([]);
    } finally {
      await browser.close();
    }
  }, 60_000);
});
