// The GraphQL-over-HTTP audit suite of the `graphql-http` package against a
// live `callboard serve`: every MUST audit and every SHOULD audit passes,
// except those listed in SHOULD_EXCEPTIONS with the reason (also in
// docs/operations.md).
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { serverAudits } from 'graphql-http';
import { startServe } from './server.mjs';

/** SHOULD audits callboard deliberately answers otherwise: id -> reason. */
const SHOULD_EXCEPTIONS = {};

let server;
before(async () => {
  server = await startServe();
});
after(() => server?.stop());

test('every MUST and SHOULD audit of graphql-http passes', async () => {
  const failures = [];
  let passed = 0;
  for (const audit of serverAudits({ url: () => server.url })) {
    const result = await audit.fn();
    if (result.status === 'ok') {
      passed += 1;
      continue;
    }
    if (audit.name.startsWith('SHOULD') && SHOULD_EXCEPTIONS[audit.id]) continue;
    const body = result.response ? await result.response.text().catch(() => '') : '';
    failures.push(`${audit.id} ${audit.name}: ${result.reason} ${body.slice(0, 200)}`);
  }
  console.log(`graphql-http: ${passed} audits passed`);
  assert.deepEqual(failures, [], `${passed} audits passed`);
  assert.ok(passed > 30, `${passed} audits ran`);
});
