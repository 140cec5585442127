// Debian's Chromium driven by playwright-core, and the few GraphiQL
// interactions the playground tests need.
import { chromium } from 'playwright-core';

/** Debian's Chromium, headless, with no network of its own. */
export function launchChromium() {
  return chromium.launch({
    executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium',
    headless: true,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--no-first-run',
    ],
  });
}

/**
 * Opens `url` in a fresh context and records what must not happen: requests
 * to another origin, Content-Security-Policy violations, uncaught errors.
 */
export async function openPlayground(browser, url) {
  const origin = new URL(url).origin;
  const context = await browser.newContext({ viewport: { width: 1440, height: 900 } });
  const problems = { foreignRequests: [], consoleErrors: [], pageErrors: [] };
  context.on('request', (request) => {
    const target = new URL(request.url());
    if (!['data:', 'blob:'].includes(target.protocol) && target.origin !== origin) {
      problems.foreignRequests.push(request.url());
    }
  });
  await context.addInitScript(() => {
    document.addEventListener('securitypolicyviolation', (event) => {
      console.error(`CSP violation: ${event.violatedDirective} ${event.blockedURI}`);
    });
  });
  const page = await context.newPage();
  page.on('console', (message) => {
    if (message.type() === 'error') problems.consoleErrors.push(message.text());
  });
  page.on('pageerror', (error) => problems.pageErrors.push(error.message));
  await page.goto(url);
  await page.locator('.graphiql-query-editor .monaco-editor').waitFor();
  return { page, problems, close: () => context.close() };
}

const QUERY_EDITOR = '.graphiql-query-editor';
const HEADERS_EDITOR = '.graphiql-editor-tool .graphiql-editor:has([data-uri$="request-headers.json"])';
const RESPONSE = '.graphiql-response';

/** Replaces the text of the Monaco editor inside `container`. */
async function replaceText(page, container, text) {
  await page.locator(`${container} .monaco-editor .view-lines`).click();
  await page.keyboard.press('ControlOrMeta+A');
  await page.keyboard.press('Delete');
  // insertText types no keys, so Monaco closes no brackets on its own.
  await page.keyboard.insertText(text);
}

export const setQuery = (page, text) => replaceText(page, QUERY_EDITOR, text);

/** Replaces the request headers; the playground opens with their editor shown. */
export const setHeaders = (page, headers) =>
  replaceText(page, HEADERS_EDITOR, JSON.stringify(headers));

/** The text of the Headers editor as shown. */
export async function headersText(page) {
  return plain(await page.locator(`${HEADERS_EDITOR} .view-lines`).innerText());
}

/** Opens the tab titled `title` (an operation name). */
export async function selectTab(page, title) {
  await page.locator('.graphiql-tab-button', { hasText: new RegExp(`^\\s*${title}\\s*$`) }).click();
  await page
    .locator(`${QUERY_EDITOR} .view-lines`)
    .filter({ hasText: new RegExp(`query\\s+${title}\\b`) })
    .waitFor();
  // GraphiQL takes the operation name from the editor 100 ms after a change
  // (a debounce); running sooner would send the previous tab's name.
  await page.waitForTimeout(300);
}

/** Runs the active tab and returns the response pane's text once it has `expected`. */
export async function run(page, expected) {
  await page.locator('.graphiql-execute-button').click();
  const response = page.locator(`${RESPONSE} .view-lines`);
  await response.filter({ hasText: expected }).waitFor({ timeout: 15_000 });
  return plain(await response.innerText());
}

// Monaco shows spaces as no-break spaces.
const plain = (text) => text.replaceAll('\u00a0', ' ');
