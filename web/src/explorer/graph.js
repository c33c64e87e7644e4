// The network of one company: its exposure paths, left to right from the
// Chinese supplier to the company, in columns by tier (tiers below); the
// legend's colours. draw.js draws it with Cytoscape.js.

export const REASON_COLOURS = {
  NO_LICENCE: '#c62828',
  PENDING: '#ef6c00',
  DENIED: '#6a1b9a',
  REVOKED: '#ad1457',
  NOT_YET_VALID: '#00838f',
  EXPIRED: '#8d6e00',
  MATERIAL_NOT_COVERED: '#1565c0',
  SECTOR_EXCLUDED: '#2e7d32',
};
export const GREY = '#9e9e9e';

export const hopId = (hop) => `${hop.supplier.id}->${hop.customer.id}`;

// The nodes and hops of paths, each once (a hop shared by paths keeps the
// data of its first).
export function elementsOf(paths, target) {
  const nodes = new Map();
  const edges = new Map();
  for (const p of paths) {
    for (const hop of p.hops) {
      for (const c of [hop.supplier, hop.customer]) {
        if (!nodes.has(c.id)) nodes.set(c.id, { id: c.id, label: `${c.name}\n${c.country ? c.country.code : ''}`, cn: c.country && c.country.code === 'CN', target: c.id === target });
      }
      const id = hopId(hop);
      if (!edges.has(id)) {
        const conf = hop.link ? hop.link.confidence : null;
        edges.set(id, {
          id, source: hop.supplier.id, target: hop.customer.id,
          colour: hop.controlled && !hop.covered ? REASON_COLOURS[hop.reason] || '#000' : GREY,
          width: conf === null || conf === undefined ? 1.5 : 1.5 + 6 * conf,
          style: conf === null || conf === undefined ? 'dashed' : 'solid',
          hop,
        });
      }
    }
  }
  return { nodes: [...nodes.values()], edges: [...edges.values()] };
}

// Spacing of the columns and rows of tiers, in pixels at zoom 1: a node
// with its two-line label (at most 150 px wide) and room between.
const COLUMN = 230;
const ROW = 64;

// tiers lays the nodes of paths out in columns, right to left from the
// company (column 0) to the Chinese suppliers: each node in the column of
// its greatest distance, in hops, from the company along one of the
// paths. Within a column, nodes are ordered to keep lines from crossing
// by a few sweeps of the barycentre heuristic (each node at the mean row
// of its neighbours in the columns placed before it): the layered layout
// dagre makes, without its network-simplex ranking and its many ordering
// passes, which took most of the time to draw a company with a hundred
// paths. Returns each node's position.
export function tiers(paths, target) {
  const col = new Map([[target, 0]]);
  const next = new Map(); // node → its customers along the paths
  const prev = new Map(); // node → its suppliers
  const link = (m, a, b) => {
    if (!m.has(a)) m.set(a, new Set());
    m.get(a).add(b);
  };
  for (const p of paths) {
    const n = p.hops.length;
    p.hops.forEach((hop, i) => {
      for (const [id, d] of [[hop.supplier.id, n - i], [hop.customer.id, n - i - 1]]) {
        if (id !== target) col.set(id, Math.max(col.get(id) || 0, d));
      }
      link(next, hop.supplier.id, hop.customer.id);
      link(prev, hop.customer.id, hop.supplier.id);
    });
  }
  const last = Math.max(...col.values());
  const columns = Array.from({ length: last + 1 }, () => []);
  for (const [id, c] of col) columns[c].push(id); // in the order of the paths
  const row = new Map();
  const place = (c) => columns[c].forEach((id, i) => row.set(id, i - (columns[c].length - 1) / 2));
  columns.forEach((_, c) => place(c));
  // Order column c by the mean row of its neighbours in near (customers
  // or suppliers); a node with none keeps its row. Sorting is stable.
  const order = (c, near) => {
    const key = new Map(columns[c].map((id) => {
      const ns = [...(near.get(id) || [])].filter((x) => col.get(x) !== c);
      return [id, ns.length ? ns.reduce((a, x) => a + row.get(x), 0) / ns.length : row.get(id)];
    }));
    columns[c].sort((a, b) => key.get(a) - key.get(b));
    place(c);
  };
  for (let sweep = 0; sweep < 4; sweep++) {
    if (sweep % 2 === 0) for (let c = 1; c <= last; c++) order(c, next);
    else for (let c = last - 1; c >= 0; c--) order(c, prev);
  }
  return new Map([...col].map(([id, c]) => [id, { x: (last - c) * COLUMN, y: row.get(id) * ROW }]));
}
