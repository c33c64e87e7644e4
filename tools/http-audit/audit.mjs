// Runs graphql-http's server audits (GraphQL over HTTP) against the URL
// given as the only argument and prints one JSON object: each audit's id,
// name, status (ok, warn: a SHOULD failed, notice: a MAY, error: a MUST)
// and reason. The caller (internal/app's TestGraphQLOverHTTPAudit) judges.
import { serverAudits } from 'graphql-http';

const url = process.argv[2];
if (!url) {
  console.error('usage: node audit.mjs URL');
  process.exit(2);
}
const results = [];
for (const audit of serverAudits({ url })) {
  const r = await audit.fn();
  results.push({ id: audit.id, name: audit.name, status: r.status, reason: r.status === 'ok' ? '' : r.reason });
}
process.stdout.write(JSON.stringify({ results }) + '\n');
