// Apollo Client's persisted-queries link against a live `callboard serve`
// (Automatic Persisted Queries): the contract's `Kpis` runs twice; the
// first run sends the hash, hears PersistedQueryNotFound and sends the
// document; the second sends the hash only.
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { ApolloClient, HttpLink, InMemoryCache } from '@apollo/client';
import { PersistedQueryLink } from '@apollo/client/link/persisted-queries';
import { Kind, parse, visit } from 'graphql';
import { startServe } from './server.mjs';

/** The contract's operation `name` with the fragments it spreads. */
function contractOperation(name) {
  const file = path.resolve(import.meta.dirname, '../../docs/examples/operations.graphql');
  const document = parse(readFileSync(file, 'utf8'));
  const fragments = new Map(
    document.definitions
      .filter((d) => d.kind === Kind.FRAGMENT_DEFINITION)
      .map((d) => [d.name.value, d]),
  );
  const operation = document.definitions.find(
    (d) => d.kind === Kind.OPERATION_DEFINITION && d.name?.value === name,
  );
  const needed = new Map();
  const collect = (node) =>
    visit(node, {
      FragmentSpread(spread) {
        const fragment = fragments.get(spread.name.value);
        if (!needed.has(fragment.name.value)) {
          needed.set(fragment.name.value, fragment);
          collect(fragment);
        }
      },
    });
  collect(operation);
  return { kind: Kind.DOCUMENT, definitions: [operation, ...needed.values()] };
}

/** A client whose every HTTP exchange is recorded in `log`. */
function client(server, log, options = {}) {
  const fetchAndLog = async (url, init) => {
    const response = await fetch(url, init);
    const sent = init.method === 'GET' ? Object.fromEntries(new URL(url).searchParams) : JSON.parse(init.body);
    const body = await response.clone().json();
    log.push({ method: init.method, hasQuery: Boolean(sent.query), status: response.status, body });
    return response;
  };
  const sha256 = (text) => createHash('sha256').update(text).digest('hex');
  return new ApolloClient({
    cache: new InMemoryCache(),
    link: new PersistedQueryLink({ sha256, ...options }).concat(
      new HttpLink({
        uri: server.url,
        headers: { authorization: `Bearer ${server.key}` },
        fetch: fetchAndLog,
      }),
    ),
  });
}

const variables = {
  range: { from: '2026-01-01T00:00:00Z', to: '2026-02-01T00:00:00Z' },
};

let server;
before(async () => {
  server = await startServe();
});
after(() => server?.stop());

for (const [transport, options] of [
  ['POST', {}],
  ['GET', { useGETForHashedQueries: true }],
]) {
  test(`Kpis runs by hash after one miss (${transport})`, async () => {
    const log = [];
    const apollo = client(server, log, options);
    const query = contractOperation('Kpis');

    const first = await apollo.query({ query, variables, fetchPolicy: 'network-only' });
    assert.equal(first.data.kpis.totalCalls, 0);
    const second = await apollo.query({ query, variables, fetchPolicy: 'network-only' });
    assert.deepEqual(second.data, first.data);

    const exchanges = log.map(({ method, hasQuery, body }) => ({
      method,
      hasQuery,
      code: body.errors?.[0]?.extensions?.code ?? 'ok',
    }));
    // A miss is only possible the first time in each mode: the server
    // remembers the document from the POST run.
    const miss = transport === 'POST';
    assert.deepEqual(
      exchanges,
      [
        ...(miss
          ? [
              { method: transport, hasQuery: false, code: 'PERSISTED_QUERY_NOT_FOUND' },
              { method: 'POST', hasQuery: true, code: 'ok' },
            ]
          : [{ method: transport, hasQuery: false, code: 'ok' }]),
        { method: transport, hasQuery: false, code: 'ok' },
      ],
      JSON.stringify(log, null, 1),
    );
  });
}
