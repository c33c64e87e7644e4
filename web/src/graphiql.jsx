// Entry point of the offline GraphiQL bundle that internal/graphiql embeds.
//
// Everything this page needs (React, GraphiQL, CodeMirror 5, graphql-js,
// graphql-ws, fonts as data: URIs) is bundled by esbuild into exactly one JS
// file and one CSS file; nothing is fetched from a CDN at runtime.
//
// Configuration comes from data attributes on the mount element, which the Go
// handler renders with html/template:
//
//   <div id="graphiql" data-endpoint="/graphql" data-tab-title="licencegraph"></div>
//
// data-endpoint              HTTP endpoint (same origin), default "/graphql"
// data-subscription-endpoint optional ws(s):// URL or path; default: derived
//                            from data-endpoint and window.location
// data-tab-title             operation name of the default query (first tab)
// data-style-nonce           per-response CSP nonce for the <style> elements
//                            that Radix dialogs inject (react-remove-scroll
//                            via react-style-singleton/get-nonce); the page's
//                            CSP has no 'unsafe-inline'
import { createRoot } from 'react-dom/client';
import { GraphiQL } from 'graphiql';
import { createGraphiQLFetcher } from '@graphiql/toolkit';
import { setNonce } from 'get-nonce';
import 'graphiql/style.css';
import './page.css';

// The operation name becomes the title of the first tab.
const DEFAULT_QUERY = `# licencegraph GraphQL explorer
#
# Auth: open "Headers" below and paste e.g.
#   {"Authorization": "Bearer <token>"}
# Run: Ctrl-Enter.  Autocomplete: Ctrl-Space.

query Overview {
  stats {
    companies
  }
}
`;

const DEFAULT_HEADERS = '';

/** Resolve a possibly relative endpoint against the page URL. */
export function httpURL(endpoint, location = window.location) {
  return new URL(endpoint || '/graphql', location.href).toString();
}

/** Derive the graphql-ws URL: http → ws, https → wss, same host and path. */
export function wsURL(endpoint, location = window.location) {
  const u = new URL(endpoint || '/graphql', location.href);
  if (u.protocol === 'https:') u.protocol = 'wss:';
  else if (u.protocol === 'http:') u.protocol = 'ws:';
  return u.toString();
}

function mount() {
  const el = document.getElementById('graphiql');
  if (!el) {
    throw new Error('graphiql: mount element #graphiql not found');
  }
  const endpoint = el.dataset.endpoint || '/graphql';
  const subscriptionEndpoint = el.dataset.subscriptionEndpoint || endpoint;
  const tabTitle = el.dataset.tabTitle || 'Overview';
  if (el.dataset.styleNonce) {
    setNonce(el.dataset.styleNonce);
  }

  const fetcher = createGraphiQLFetcher({
    url: httpURL(endpoint),
    subscriptionUrl: wsURL(subscriptionEndpoint),
  });

  const query = DEFAULT_QUERY.replace('query Overview', `query ${safeOperationName(tabTitle)}`);

  createRoot(el).render(
    <GraphiQL
      fetcher={fetcher}
      defaultQuery={query}
      defaultHeaders={DEFAULT_HEADERS}
      isHeadersEditorEnabled={true}
      defaultEditorToolsVisibility="headers"
      // Bearer tokens are not written to localStorage unless the user opts in
      // via the settings dialog.
      shouldPersistHeaders={false}
      showPersistHeadersSettings={true}
    />,
  );
}

/** GraphQL operation names are /[_A-Za-z][_0-9A-Za-z]*\/. */
function safeOperationName(s) {
  const cleaned = String(s).replace(/[^_0-9A-Za-z]/g, '');
  return /^[_A-Za-z]/.test(cleaned) ? cleaned : 'Overview';
}

mount();
