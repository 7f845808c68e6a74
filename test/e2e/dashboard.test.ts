// The web dashboard (SPEC §12) in a real browser: Debian's Chromium driven by playwright-core
// (no browser download), against the built binary's daemon in a sandbox. With
// ORCH_DASHBOARD_SCREENSHOTS=1 the tests also write the README's screenshots (docs/dashboard-*.png).
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type BrowserContext, chromium, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort } from '../helpers/ports.js';
import { repoRoot } from '../helpers/sandbox.js';
import { sandboxPerTest } from '../helpers/sandbox-per-test.js';
import { pidsOf, readStatus } from '../helpers/status.js';
import { waitFor } from '../helpers/wait-for.js';

const CHROMIUM = '/usr/bin/chromium';
const haveChromium = existsSync(CHROMIUM);
const screenshots = process.env.ORCH_DASHBOARD_SCREENSHOTS === '1';
if (!haveChromium) console.warn(`dashboard browser tests skipped: no ${CHROMIUM} (.ci/run installs the Debian package 'chromium')`);

// Says the contents of say.txt on SIGUSR2: a log line the test chooses, when it chooses.
const SAY = `
const { readFileSync } = require('node:fs');
console.log('worker up');
process.on('SIGUSR2', () => console.log(readFileSync('say.txt', 'utf8').trim()));
process.on('SIGTERM', () => process.exit(0));
setInterval(() => {}, 1000);
`;
const HTTP = `require('node:http').createServer((req, res) => res.end('ok')).listen(Number(process.env.PORT));`;

const ecosystem = (port: number) => `
version: 1
name: shop
apps:
  worker:
    run: [node, say.js]
    instances: 2
    ready: { type: none, delay: 0ms }
  api:
    run: [node, http.js]
    mode: cluster
    instances: 2
    port: ${port}
`;

describe.skipIf(!haveChromium)('the dashboard in Chromium', () => {
  const sb = sandboxPerTest();
  let context: BrowserContext;
  let profile: string;
  let ecosystemText = '';

  beforeAll(async () => {
    profile = mkdtempSync(join(tmpdir(), 'orch-chromium-'));
    context = await chromium.launchPersistentContext(profile, {
      executablePath: CHROMIUM,
      headless: true,
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--no-first-run', '--disable-component-update', '--disable-sync'],
      viewport: { width: 1280, height: 860 },
    });
  });
  afterAll(async () => {
    await context?.close();
    if (profile !== undefined) rmSync(profile, { recursive: true, force: true });
  });

  /** Applies the file and opens the dashboard's URL in a fresh page. */
  const openDashboard = async (): Promise<{ page: Page; url: string }> => {
    sb.write('say.js', SAY);
    sb.write('http.js', HTTP);
    sb.write('say.txt', 'nothing yet');
    ecosystemText = ecosystem(await freePort());
    sb.write('ecosystem.yaml', ecosystemText);
    const applied = await sb.orch(['apply']);
    expect(applied.code, applied.stderr + applied.stdout).toBe(0);
    const r = await sb.orch(['dashboard']);
    expect(r.code, r.stderr).toBe(0);
    const url = r.stdout.trim();
    expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/#token=[0-9a-f]{64}$/);
    const page = await context.newPage();
    await page.goto(url);
    return { page, url };
  };

  const pidCells = (page: Page, app: string) => page.locator(`#apps tr[data-app="${app}"] td.pid`).allInnerTexts();
  const shownPids = async (page: Page, app: string) => (await pidCells(page, app)).map(Number).sort();

  it('lists the apps with their live pids', async () => {
    const { page } = await openDashboard();
    const status = await readStatus(sb);
    for (const app of ['api', 'worker']) {
      await waitFor(async () => JSON.stringify(await shownPids(page, app)) === JSON.stringify(pidsOf(status, app)), { what: `${app}'s pids on the page` });
    }
    await expect.poll(() => page.locator('#connection').innerText()).toBe('live');
    await page.close();
  });

  it('shows a crash as an event, and the new pid, without a reload of the page', async () => {
    const { page } = await openDashboard();
    await page.locator('#apps tr[data-app="worker"]').first().click();
    const [victim] = pidsOf(await readStatus(sb), 'worker');
    await waitFor(async () => (await shownPids(page, 'worker')).includes(victim!), { what: 'the victim on the page' });
    await page.evaluate(() => ((window as unknown as { marker: string }).marker = 'same page'));
    process.kill(victim!, 'SIGKILL');
    await page.locator('#events li', { hasText: `exited by SIGKILL (pid ${victim})` }).waitFor({ timeout: 10_000 });
    await waitFor(async () => {
      const pids = await shownPids(page, 'worker');
      return pids.length === 2 && !pids.includes(victim!) && pids.every((p) => p > 0);
    }, { timeout: 15_000, what: 'the respawned pid on the page' });
    expect(await page.evaluate(() => (window as unknown as { marker?: string }).marker)).toBe('same page');
    if (screenshots) {
      // A few points on the charts first (one every 5 s while a page looks).
      await page.locator('#log .line').first().waitFor();
      await waitFor(async () => ((await page.locator('#chart-memory polyline').first().getAttribute('points')) ?? '').split(' ').length >= 4, {
        timeout: 40_000,
        what: 'four chart points',
      });
      await page.screenshot({ path: join(repoRoot, 'docs/dashboard-app.png') });
    }
    await page.close();
  });

  it('follows the log as new lines are written, and filters it', async () => {
    const { page } = await openDashboard();
    await page.locator('#apps tr[data-app="worker"]').first().click();
    await page.locator('#log .line', { hasText: 'worker up' }).first().waitFor();
    const pids = pidsOf(await readStatus(sb), 'worker');
    for (const word of ['first-marker', 'second-marker']) {
      sb.write('say.txt', word);
      process.kill(pids[0]!, 'SIGUSR2');
      await page.locator('#log .line', { hasText: word }).waitFor({ timeout: 10_000 });
    }
    await page.locator('#log-filter').fill('second');
    await expect.poll(() => page.locator('#log .line').allInnerTexts()).toEqual([expect.stringContaining('second-marker')]);
    // A line written while the filter is on shows only if it matches.
    sb.write('say.txt', 'second-marker again');
    process.kill(pids[1]!, 'SIGUSR2');
    await page.locator('#log .line', { hasText: 'second-marker again' }).waitFor({ timeout: 10_000 });
    expect(await page.locator('#log .line', { hasText: 'worker up' }).count()).toBe(0);
    await page.close();
  });

  it('asks before a restart, saying whether it interrupts service, then restarts', async () => {
    const { page } = await openDashboard();
    await page.locator('#apps tr[data-app="api"]').first().click();
    const before = pidsOf(await readStatus(sb), 'api');
    await waitFor(async () => JSON.stringify(await shownPids(page, 'api')) === JSON.stringify(before), { what: "api's pids on the page" });

    // Cancelled: nothing happens.
    await page.locator('#actions button[data-verb="restart"]').click();
    await expect.poll(() => page.locator('#confirm-label').innerText()).toBe('restart api: interrupts service (for no interruption: orch reload api)');
    await page.locator('#confirm-cancel').click();
    expect(await page.locator('#confirm').isVisible()).toBe(false);
    expect(pidsOf(await readStatus(sb), 'api')).toEqual(before);

    await page.locator('#actions button[data-verb="restart"]').click();
    if (screenshots) await page.screenshot({ path: join(repoRoot, 'docs/dashboard-confirm.png') });
    await page.locator('#confirm-ok').click();
    await page.locator('#action-result', { hasText: 'restart api: done' }).waitFor({ timeout: 20_000 });
    const after = pidsOf(await readStatus(sb), 'api');
    expect(after).toHaveLength(2);
    expect(after.filter((p) => before.includes(p))).toEqual([]);
    await waitFor(async () => JSON.stringify(await shownPids(page, 'api')) === JSON.stringify(after), { what: 'the new pids on the page' });

    // The reload button of the same app says it does not interrupt.
    await page.locator('#actions button[data-verb="reload"]').click();
    await expect.poll(() => page.locator('#confirm-label').innerText()).toBe('reload api: no interruption');
    await page.locator('#confirm-cancel').click();
    if (screenshots) {
      // A few generations to show: a change, then an apply that changes nothing.
      sb.write('ecosystem.yaml', ecosystemText.replace('instances: 2\n    ready', 'instances: 3\n    ready'));
      for (let k = 0; k < 2; k++) expect((await sb.orch(['apply'])).code).toBe(0);
      await page.locator('button.tab[data-tab="history"]').click();
      await page.locator('#history tr[data-generation]').first().waitFor();
      await page.screenshot({ path: join(repoRoot, 'docs/dashboard-history.png') });
    }
    await page.close();
  });

  it('refuses a request without the token (401), and a page without it shows how to get one', async () => {
    const { page, url } = await openDashboard();
    const origin = new URL(url).origin;
    const before = pidsOf(await readStatus(sb), 'api');
    const statuses = await page.evaluate(async () => {
      const get = await fetch('/api/state');
      const post = await fetch('/api/apps/api/restart', { method: 'POST' });
      const wrong = await fetch('/api/state', { headers: { authorization: `Bearer ${'0'.repeat(64)}` } });
      return [get.status, post.status, wrong.status];
    });
    expect(statuses).toEqual([401, 401, 401]);
    expect((await fetch(`${origin}/api/state`)).status).toBe(401);
    expect(pidsOf(await readStatus(sb), 'api')).toEqual(before);

    const bare = await context.newPage();
    await bare.goto(`${origin}/`);
    await bare.locator('#no-token').waitFor();
    expect(await bare.locator('#apps tr[data-app]').count()).toBe(0);
    await bare.close();
    await page.close();
  });
});
