// Entry point of the offline GraphiQL bundle that internal/graphiql embeds.
//
// Everything this page needs (React, GraphiQL, CodeMirror 5, graphql-js,
// graphql-ws, fonts as data: URIs) is bundled by esbuild into exactly one JS
// file and one CSS file; nothing is fetched from a CDN at runtime.
//
// Configuration comes from data attributes on the mount element, which the Go
// handler renders with html/template:
//
//   <div id="graphiql" data-endpoint="/graphql"></div>
//
// data-endpoint              HTTP endpoint (same origin), default "/graphql"
// data-subscription-endpoint optional ws(s):// URL or path; default: derived
//                            from data-endpoint and window.location
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

// The tabs GraphiQL opens on: the README's questions (docs/exposure.md
// works through them). Each operation name is its tab's title.
const HELP = `# Auth: open "Headers" below and paste e.g.
#   {"Authorization": "Bearer <token>"}
# Run: Ctrl-Enter.  Autocomplete: Ctrl-Space.  Schema: the Docs pane (book icon).
`;

const EXPOSED_TODAY = `# Which automakers and their suppliers are exposed today, and through whom?
${HELP}
query ExposedAutomakers {
  exposedCompanies(sector: "automotive", first: 20) {
    totalCount
    edges {
      node {
        company { id name country { code } }
        minDepth
        pathCount
        uncoveredSuppliers { id name }
      }
    }
  }
}
`;

const WHY_EXPOSED = `# Why is GM exposed: which hop, which licence, what went wrong?
query WhyIsGMExposed {
  exposurePaths(companyId: "gm") {
    depth
    hops {
      supplier { id name }
      customer { id name }
      controlledMaterials { id }
      covered
      reason
      licences { id type status standing validFrom validUntil }
    }
  }
}
`;

const NEXT_SIX_MONTHS = `# What changes for automakers between today and six months from now?
# (the dates are in the Variables pane below)
query NextSixMonths($from: Date!, $to: Date!) {
  exposureChanges(from: $from, to: $to, sector: "automotive") {
    newlyExposed { company { id name } licences { id validUntil } controls { id } }
    noLongerExposed { company { id name } }
  }
}
`;

/** YYYY-MM-DD of d in UTC (the API's "today"). */
export function isoDate(d) {
  return d.toISOString().slice(0, 10);
}

/** The default tabs, with the six-month window from now. */
export function defaultTabs(now = new Date()) {
  const later = new Date(now);
  later.setUTCMonth(later.getUTCMonth() + 6);
  return [
    { query: EXPOSED_TODAY },
    { query: WHY_EXPOSED },
    { query: NEXT_SIX_MONTHS, variables: JSON.stringify({ from: isoDate(now), to: isoDate(later) }, null, 2) },
  ];
}

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
  if (el.dataset.styleNonce) {
    setNonce(el.dataset.styleNonce);
  }

  const fetcher = createGraphiQLFetcher({
    url: httpURL(endpoint),
    subscriptionUrl: wsURL(subscriptionEndpoint),
  });

  createRoot(el).render(
    <GraphiQL
      fetcher={fetcher}
      defaultTabs={defaultTabs()}
      // The schema at hand: the Docs pane opens with the page.
      visiblePlugin="Documentation Explorer"
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

mount();
