// What the playground page imports from the bundle (see build.mjs).
export { GraphiQL } from 'graphiql';
export { createGraphiQLFetcher } from '@graphiql/toolkit';
export { buildSchema } from 'graphql';
export { createElement } from 'react';
export { createRoot } from 'react-dom/client';
