// GraphQL over HTTP to the page's own server, with the token (if any) from
// session storage, cancellable, and errors turned into plain words.

const TOKEN_KEY = 'licencegraph.token';

export function getToken() {
  try {
    return sessionStorage.getItem(TOKEN_KEY) || '';
  } catch {
    return '';
  }
}

export function setToken(t) {
  try {
    if (t) sessionStorage.setItem(TOKEN_KEY, t);
    else sessionStorage.removeItem(TOKEN_KEY);
  } catch {
    /* storage off: the token lives for this page only */
  }
}

// What each error code asks of the user.
const ADVICE = {
  UNAVAILABLE: 'The database is not answering right now (or the server is still loading the graph). Wait a minute and press Ask again.',
  TIMEOUT: 'The question took longer than the server allows. Lower the maximum depth, pick a narrower sector or a higher minimum confidence, and ask again.',
  QUERY_TOO_COMPLEX: 'The question is larger than this server accepts. Lower the maximum depth and ask again; if it persists, tell the server\'s operator (MAX_QUERY_COMPLEXITY).',
  UNAUTHENTICATED: 'This server needs a token to read: paste one into Token and ask again.',
  FORBIDDEN: 'Your token may not read this: ask for a token with the READER role.',
  NOT_FOUND: 'There is no such company.',
  BAD_USER_INPUT: 'The question is not valid:',
};

export class APIError extends Error {
  constructor(code, message) {
    super(message);
    this.code = code;
  }
}

export function explain(err) {
  if (err.name === 'AbortError') return 'Cancelled.';
  if (err instanceof APIError) {
    const advice = ADVICE[err.code];
    if (err.code === 'BAD_USER_INPUT') return `${advice} ${err.message}`;
    if (advice) return advice;
    return `The server could not answer (${err.code || 'error'}): ${err.message}`;
  }
  return `The server could not be reached (${err.message}). Check that it is running and ask again.`;
}

export function client(endpoint) {
  return async function gql(query, variables, signal) {
    const headers = { 'Content-Type': 'application/json', Accept: 'application/graphql-response+json, application/json' };
    const token = getToken();
    if (token) headers.Authorization = `Bearer ${token}`;
    const resp = await fetch(endpoint, { method: 'POST', headers, body: JSON.stringify({ query, variables }), signal });
    let body;
    try {
      body = await resp.json();
    } catch {
      throw new APIError(resp.status === 503 ? 'UNAVAILABLE' : 'HTTP', `HTTP ${resp.status}`);
    }
    if (body.errors && body.errors.length) {
      const e = body.errors[0];
      throw new APIError((e.extensions && e.extensions.code) || '', e.message);
    }
    if (!resp.ok) throw new APIError('HTTP', `HTTP ${resp.status}`);
    return body.data;
  };
}
