// Takes the README's screenshot: the demo's playground after running the
// Kpis tab, saved as docs/img/playground.png.
// usage (from the repository root, after `cargo build`):
//   npm --prefix tests/e2e run screenshot [-- TAB]
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { launchChromium, openPlayground, run, selectTab } from './browser.mjs';
import { startDemo } from './server.mjs';

const tab = process.argv[2] ?? 'Kpis';
const out = path.resolve(import.meta.dirname, '../../docs/img/playground.png');

const browser = await launchChromium();
const demo = await startDemo();
try {
  const { page } = await openPlayground(browser, demo.url);
  await selectTab(page, tab);
  await run(page, '"data"');
  // The variables tell more than the demo key does.
  await page.getByRole('button', { name: 'Variables' }).click();
  await page.mouse.move(0, 0);
  await page.waitForTimeout(300);
  mkdirSync(path.dirname(out), { recursive: true });
  await page.screenshot({ path: out });
  console.log(`saved ${out}`);
} finally {
  await demo.stop();
  await browser.close();
}
