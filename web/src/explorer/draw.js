// Draws the network of one company with Cytoscape.js, where tiers put
// its nodes. The page loads this module (and Cytoscape.js, most of the
// bundle) only after it has sent its first questions: running it then
// overlaps with the server's work instead of delaying the questions.
import cytoscape from 'cytoscape';
import { elementsOf, tiers } from './graph.js';

export function draw(container, paths, target, { onNode, onEdge }) {
  const { nodes, edges } = elementsOf(paths, target);
  container.dataset.nodes = JSON.stringify(nodes.map((n) => n.id).sort());
  container.dataset.edges = JSON.stringify(edges.map((e) => e.id).sort());
  const at = tiers(paths, target);
  const cy = cytoscape({
    container,
    elements: [
      ...nodes.map((n) => ({ data: n, position: { ...at.get(n.id) }, classes: [n.cn ? 'cn' : '', n.target ? 'target' : ''].join(' ') })),
      ...edges.map((e) => ({ data: e })),
    ],
    style: [
      { selector: 'node', style: {
        'background-color': '#546e7a', label: 'data(label)', 'text-wrap': 'wrap', 'font-size': 11,
        'text-valign': 'bottom', 'text-margin-y': 4, color: '#222', width: 18, height: 18, 'text-max-width': 150,
        'font-family': 'system-ui, sans-serif',
        // Too small to read when a large network is zoomed out to fit:
        // drawn from the zoom at which they can be read on.
        'min-zoomed-font-size': 7 } },
      { selector: 'node.cn', style: { 'background-color': '#c62828', shape: 'round-rectangle' } },
      { selector: 'node.target', style: { 'background-color': '#1a237e', width: 24, height: 24, 'font-weight': 'bold' } },
      { selector: 'node:selected', style: { 'border-width': 3, 'border-color': '#ffb300' } },
      { selector: 'edge', style: {
        width: 'data(width)', 'line-color': 'data(colour)', 'target-arrow-color': 'data(colour)',
        'target-arrow-shape': 'triangle', 'curve-style': 'bezier', 'line-style': 'data(style)' } },
      { selector: 'edge:selected', style: { 'overlay-color': '#ffb300', 'overlay-opacity': 0.35, 'overlay-padding': 4 } },
    ],
    layout: { name: 'preset', fit: true, padding: 40 },
    minZoom: 0.2,
    maxZoom: 1.3,
    wheelSensitivity: 0.3,
    boxSelectionEnabled: false,
  });
  cy.on('tap', 'node', (ev) => onNode(ev.target.id()));
  cy.on('tap', 'edge', (ev) => onEdge(ev.target.data('hop')));
  cy.on('mouseover', 'edge', (ev) => onEdge(ev.target.data('hop')));
  return cy;
}
