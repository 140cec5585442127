// A callboard server for the end-to-end tests: `serve` or `demo` on a
// temporary SQLite file, stopped when the test is done.
import { spawn, execFile } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';

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
 * `callboard tenants create`: { url, key, tenantName, stop }. `args` are
 * more flags of `serve`.
 */
export async function startServe(args = []) {
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
    ['serve', '--database-url', database, '--bind', '127.0.0.1:0', ...args],
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
