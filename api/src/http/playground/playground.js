// callboard's playground: GraphiQL from the bundle beside this file, set up
// with the settings the server wrote into the page (see playground/mod.rs).
import {
  GraphiQL,
  buildSchema,
  createElement,
  createGraphiQLFetcher,
  createRoot,
} from './graphiql.js';

const settings = JSON.parse(document.getElementById('playground-settings').textContent);

// Monaco runs its language services in web workers, served from here too.
const workers = { json: 'json.worker.js', graphql: 'graphql.worker.js' };
globalThis.MonacoEnvironment = {
  getWorker(_moduleId, label) {
    const file = workers[label] ?? 'editor.worker.js';
    return new Worker(new URL(file, import.meta.url), { name: label });
  },
};

const props = {
  fetcher: createGraphiQLFetcher({ url: settings.endpoint }),
  defaultQuery: settings.defaultQuery,
  defaultEditorToolsVisibility: 'headers',
  schema: schemaOrIntrospection(settings.schema),
};

if (settings.guided) {
  props.defaultTabs = settings.tabs;
  props.storage = prefixedStorage(settings.storagePrefix);
  // GraphiQL opens the first default tab without its variables, so a first
  // visit (no tabs stored yet) hands them over directly.
  if (props.storage.getItem('graphiql:tabState') === null) {
    props.initialVariables = settings.tabs[0]?.variables ?? undefined;
  }
  // The demo's URL carries its key in the fragment, which browsers never
  // send to a server. GraphiQL fills the Headers tab of every tab with it
  // and, as always, keeps headers out of its storage.
  const key = new URLSearchParams(location.hash.slice(1)).get('key');
  if (key) {
    props.defaultHeaders = JSON.stringify({ Authorization: `Bearer ${key}` }, null, 2);
  }
}

createRoot(document.getElementById('graphiql')).render(createElement(GraphiQL, props));

/** The server's schema; `undefined` makes GraphiQL introspect instead. */
function schemaOrIntrospection(sdl) {
  try {
    return buildSchema(sdl);
  } catch (error) {
    console.warn('The schema in the page does not build; introspecting instead.', error);
    return undefined;
  }
}

/** localStorage under `prefix`, in the shape GraphiQL's `storage` takes. */
function prefixedStorage(prefix) {
  const keys = () => Object.keys(localStorage).filter((key) => key.startsWith(prefix));
  return {
    getItem: (key) => localStorage.getItem(prefix + key),
    setItem: (key, value) => localStorage.setItem(prefix + key, value),
    removeItem: (key) => localStorage.removeItem(prefix + key),
    get length() {
      return keys().length;
    },
    clear: () => keys().forEach((key) => localStorage.removeItem(key)),
  };
}
