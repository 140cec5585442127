// Helpers of the browser tests: a callboard server on a temporary SQLite
// file, Debian's Chromium driven by playwright-core, and the few GraphiQL
// interactions the tests need.
import { spawn, execFile } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { chromium } from 'playwright-core';

const REPO = path.resolve(import.meta.dirname, '../..');

/** The callboard binary: $CALLBOARD_BIN, or the debug build of this checkout. */
export function callboardBin() {
  // npm runs scripts in this folder; INIT_CWD is where it was started.
  const cwd = process.env.INIT_CWD ?? process.cwd();
  const bin = process.env.CALLBOARD_BIN
    ? path.resolve(cwd, process.env.CALLBOARD_BIN)
    : path.join(path.resolve(REPO, process.env.CARGO_TARGET_DIR ?? 'target'), 'debug', 'callboard');
  if (!existsSync(bin)) {
    throw new Error(`no callboard binary at ${bin}: run \`cargo build\` first or set CALLBOARD_BIN`);
  }
  return bin;
}

function tempDir() {
  const dir = mkdtempSync(path.join(tmpdir(), 'callboard-browser-'));
  return { dir, remove: () => rmSync(dir, { recursive: true, force: true }) };
}

/**
 * `callboard serve` on a fresh SQLite file with one tenant created by
 * `callboard tenants create`: { url, key, tenantName, stop }.
 */
export async function startServe() {
  const bin = callboardBin();
  const temp = tempDir();
  const database = `sqlite://${path.join(temp.dir, 'callboard.db')}?mode=rwc`;
  const tenantName = 'Browser Test Lending';
  const { stdout } = await promisify(execFile)(bin, [
    'tenants', 'create', '--name', tenantName, '--timezone', 'Asia/Kolkata',
    '--database-url', database,
  ]);
  const key = /api key:\s+(\S+)/.exec(stdout)?.[1];
  if (!key) throw new Error(`tenants create printed no key:\n${stdout}`);
  const server = await startProcess(
    bin,
    ['serve', '--database-url', database, '--bind', '127.0.0.1:0'],
    /listening on (http:\/\/127\.0\.0\.1:\d+\/graphql)/,
  );
  return { url: server.match[1], key, tenantName, stop: () => server.stop().finally(temp.remove) };
}

/** `callboard demo` on a fresh file: { url (with #key=...), key, stop }. */
export async function startDemo() {
  const temp = tempDir();
  const server = await startProcess(
    callboardBin(),
    ['demo', '--data', path.join(temp.dir, 'demo.db'), '--bind', '127.0.0.1:0'],
    /(http:\/\/127\.0\.0\.1:\d+\/graphql#key=(\S+))/,
    120_000,
  );
  return { url: server.match[1], key: server.match[2], stop: () => server.stop().finally(temp.remove) };
}

/** Starts `bin` and waits until its output matches `ready`. */
function startProcess(bin, args, ready, timeoutMs = 30_000) {
  const child = spawn(bin, args, {
    env: { ...process.env, NO_COLOR: '1', RUST_LOG: 'info' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const exited = new Promise((resolve) => child.once('exit', resolve));
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
    await exited;
  };
  return new Promise((resolve, reject) => {
    let output = '';
    const timer = setTimeout(() => {
      stop();
      reject(new Error(`${path.basename(bin)} ${args[0]} not ready in ${timeoutMs} ms:\n${output}`));
    }, timeoutMs);
    const onData = (chunk) => {
      output += chunk;
      const match = ready.exec(output);
      if (match) {
        clearTimeout(timer);
        resolve({ match, stop });
      }
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`${path.basename(bin)} ${args[0]} exited with ${code}:\n${output}`));
    });
  });
}

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
