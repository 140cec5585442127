// The playground in a real browser: it renders from the server's own
// files, runs a query with a key and shows the result, and never asks
// another origin for anything.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import {
  headersText,
  launchChromium,
  openPlayground,
  run,
  selectTab,
  setHeaders,
  setQuery,
} from './browser.mjs';
import { startDemo, startServe } from './server.mjs';

let browser;
before(async () => {
  browser = await launchChromium();
});
after(() => browser?.close());

function assertNoProblems(problems) {
  assert.deepEqual(problems.foreignRequests, [], 'requests to another origin');
  assert.deepEqual(problems.pageErrors, [], 'uncaught errors');
  assert.deepEqual(problems.consoleErrors, [], 'console errors (CSP violations among them)');
}

test('a query with a key runs in the playground of `serve`, using only its origin', async (t) => {
  const server = await startServe();
  t.after(server.stop);
  const { page, problems, close } = await openPlayground(browser, server.url);
  t.after(close);

  assert.equal(await headersText(page), '', '`serve` prefills no key');
  await setQuery(page, '{ tenant { name timezone } }');
  await setHeaders(page, { Authorization: `Bearer ${server.key}` });
  const response = await run(page, server.tenantName);

  assert.deepEqual(JSON.parse(response), {
    data: { tenant: { name: server.tenantName, timezone: 'Asia/Kolkata' } },
  });
  assertNoProblems(problems);
});

test("the demo's URL opens the contract reads with the demo key, ready to run", async (t) => {
  const demo = await startDemo();
  t.after(demo.stop);
  const { page, problems, close } = await openPlayground(browser, demo.url);
  t.after(close);

  const tabs = await page.locator('.graphiql-tab').allInnerTexts();
  assert.deepEqual(
    tabs.map((title) => title.trim()),
    ['Kpis', 'KpiSeries', 'KpiBreakdown', 'AgentLeaderboard', 'RecentCalls', 'Tenant'],
  );
  assert.deepEqual(JSON.parse(await headersText(page)), { Authorization: `Bearer ${demo.key}` });
  // Kpis opens first: pressing Run shows the demo's numbers.
  const kpis = await run(page, 'totalCalls');
  const totalCalls = Number(/"totalCalls": (\d+)/.exec(kpis)?.[1]);
  assert.ok(totalCalls > 0, kpis);

  await selectTab(page, 'Tenant');
  const tenant = JSON.parse(await run(page, 'Acme Lending (demo)'));
  assert.equal(tenant.data.tenant.name, 'Acme Lending (demo)');
  assertNoProblems(problems);
});
