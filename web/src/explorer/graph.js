// The network of one company: its exposure paths, left to right from the
// Chinese supplier to the company, drawn by Cytoscape.js with the dagre
// layered layout (each path's tier is a column).
import cytoscape from 'cytoscape';
import dagre from 'cytoscape-dagre';

cytoscape.use(dagre);

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

export function draw(container, paths, target, { onNode, onEdge }) {
  const { nodes, edges } = elementsOf(paths, target);
  container.dataset.nodes = JSON.stringify(nodes.map((n) => n.id).sort());
  container.dataset.edges = JSON.stringify(edges.map((e) => e.id).sort());
  const cy = cytoscape({
    container,
    elements: [
      ...nodes.map((n) => ({ data: n, classes: [n.cn ? 'cn' : '', n.target ? 'target' : ''].join(' ') })),
      ...edges.map((e) => ({ data: e })),
    ],
    style: [
      { selector: 'node', style: {
        'background-color': '#546e7a', label: 'data(label)', 'text-wrap': 'wrap', 'font-size': 11,
        'text-valign': 'bottom', 'text-margin-y': 4, color: '#222', width: 18, height: 18, 'text-max-width': 150,
        'font-family': 'system-ui, sans-serif' } },
      { selector: 'node.cn', style: { 'background-color': '#c62828', shape: 'round-rectangle' } },
      { selector: 'node.target', style: { 'background-color': '#1a237e', width: 24, height: 24, 'font-weight': 'bold' } },
      { selector: 'node:selected', style: { 'border-width': 3, 'border-color': '#ffb300' } },
      { selector: 'edge', style: {
        width: 'data(width)', 'line-color': 'data(colour)', 'target-arrow-color': 'data(colour)',
        'target-arrow-shape': 'triangle', 'curve-style': 'bezier', 'line-style': 'data(style)' } },
      { selector: 'edge:selected', style: { 'overlay-color': '#ffb300', 'overlay-opacity': 0.35, 'overlay-padding': 4 } },
    ],
    layout: { name: 'dagre', rankDir: 'LR', nodeSep: 40, rankSep: 160, edgeSep: 10, padding: 40 },
    minZoom: 0.2,
    maxZoom: 1.3,
    wheelSensitivity: 0.3,
    boxSelectionEnabled: false,
  });
  cy.on('tap', 'node', (ev) => onNode(ev.target.id()));
  cy.on('tap', 'edge', (ev) => onEdge(ev.target.data('hop')));
  cy.on('mouseover', 'edge', (ev) => onEdge(ev.target.data('hop'), true));
  return cy;
}
