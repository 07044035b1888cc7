/**
 * The topology page: one HTML document, its script plain browser JavaScript (no build step, no framework).
 * Cytoscape lays out and draws the graph; the rest is a few tables. Text from stacks goes into the page only
 * as text nodes, never as markup.
 */
export const PAGE = String.raw`<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>stoke stacks</title>
<style>
  body { font: 14px system-ui, sans-serif; margin: 0; display: flex; height: 100vh; color: #222; }
  nav { width: 240px; border-right: 1px solid #ddd; overflow: auto; padding: 8px; }
  nav a { display: block; padding: 4px 6px; border-radius: 4px; color: inherit; text-decoration: none; }
  nav a.current { background: #e8eef6; }
  main { flex: 1; overflow: auto; padding: 8px 16px; }
  #graph { height: 420px; border: 1px solid #ddd; border-radius: 4px; }
  table { border-collapse: collapse; margin: 4px 0 16px; }
  td, th { text-align: left; padding: 2px 10px 2px 0; vertical-align: top; }
  .status { font-weight: 600; }
  .COMPLETE { color: #2e7d32; } .IN_PROGRESS { color: #b26a00; } .FAILED { color: #c62828; } .INIT { color: #757575; }
  h2 { margin: 4px 0; } h3 { margin: 12px 0 4px; }
</style>
</head>
<body>
<nav><h3>Stacks</h3><div id="stacks"></div></nav>
<main>
  <h2 id="title">Choose a stack</h2>
  <div id="reason"></div>
  <div id="graph"></div>
  <h3>Resources</h3><table id="resources"></table>
  <h3>Actions</h3><table id="actions"></table>
  <h3>Outputs</h3><table id="outputs"></table>
  <h3>Parameters</h3><table id="parameters"></table>
  <h3>Events</h3><table id="events"></table>
</main>
<script src="/cytoscape.min.js"></script>
<script>
'use strict';
// Horizon's colours: grey before anything happened, amber while working, green when done, red when failed.
var COLOURS = { INIT: '#9e9e9e', IN_PROGRESS: '#f0a030', COMPLETE: '#43a047', FAILED: '#e53935' };
function phase(status) {
  if (status === 'INIT_COMPLETE' || status === 'DELETE_COMPLETE') return 'INIT';
  var at = status.lastIndexOf('_');
  var end = status.slice(at + 1);
  return end === 'PROGRESS' ? 'IN_PROGRESS' : end === 'FAILED' ? 'FAILED' : 'COMPLETE';
}
function el(tag, text, attrs) {
  var node = document.createElement(tag);
  if (text !== undefined) node.textContent = text;
  for (var key in attrs || {}) node.setAttribute(key, attrs[key]);
  return node;
}
function statusCell(status) { return el('td', status, { 'class': 'status ' + phase(status), 'data-status': status }); }
function fill(id, headers, rows) {
  var table = document.getElementById(id);
  table.replaceChildren();
  var head = el('tr');
  headers.forEach(function (h) { head.appendChild(el('th', h)); });
  table.appendChild(head);
  rows.forEach(function (row) { table.appendChild(row); });
}
function row(cells, attrs) {
  var tr = el('tr', undefined, attrs);
  cells.forEach(function (c) { tr.appendChild(typeof c === 'string' ? el('td', c) : c); });
  return tr;
}
function text(value) { return typeof value === 'string' ? value : JSON.stringify(value); }

var cy = cytoscape({
  container: document.getElementById('graph'),
  style: [
    { selector: 'node', style: { 'background-color': 'data(colour)', label: 'data(label)', 'text-wrap': 'wrap', 'font-size': 11, 'text-valign': 'bottom', 'text-margin-y': 4, width: 34, height: 34 } },
    { selector: ':parent', style: { 'background-opacity': 0.08, 'border-color': 'data(colour)', 'border-width': 2, 'text-valign': 'top', shape: 'round-rectangle' } },
    { selector: 'edge', style: { width: 2, 'line-color': '#bbb', 'target-arrow-color': '#bbb', 'target-arrow-shape': 'triangle', 'curve-style': 'bezier' } },
  ],
  userZoomingEnabled: false,
});
window.stokeGraph = cy;

var current = decodeURIComponent(location.hash.slice(1));
var shape = '';

/**
 * Nodes are resources, an edge runs from what a resource requires to it: the order a create follows. A nested
 * stack's resources sit inside its resource's node, which a click folds and unfolds.
 */
function draw(nodes) {
  var names = nodes.map(function (n) { return n.id + '<' + n.requires.join(','); }).sort().join(';');
  if (names !== shape) {
    shape = names;
    cy.elements().remove();
    nodes.forEach(function (n) { cy.add({ group: 'nodes', data: n.parent ? { id: n.id, parent: n.parent } : { id: n.id } }); });
    nodes.forEach(function (n) {
      n.requires.forEach(function (req) {
        if (cy.getElementById(req).nonempty()) cy.add({ group: 'edges', data: { id: req + '->' + n.id, source: req, target: n.id } });
      });
    });
    cy.layout({ name: 'breadthfirst', directed: true, spacingFactor: 1.1, padding: 20 }).run();
    cy.nodes().forEach(function (n) { if (folded[n.id()]) n.descendants().style('display', 'none'); });
  }
  nodes.forEach(function (n) {
    cy.getElementById(n.id).data({ status: n.status, colour: COLOURS[phase(n.status)], label: n.name + '\n' + n.type });
  });
}

var folded = {};
cy.on('tap', 'node', function (event) {
  var node = event.target;
  if (!node.isParent()) return;
  folded[node.id()] = !folded[node.id()];
  node.descendants().style('display', folded[node.id()] ? 'none' : 'element');
});

function showStack(page) {
  var s = page.stack;
  document.getElementById('title').replaceChildren(el('span', s.stack_name + ' '), el('span', s.stack_status, { 'class': 'status ' + phase(s.stack_status), id: 'stack-status' }));
  document.getElementById('reason').textContent = s.stack_status_reason;
  draw(page.graph);
  fill('resources', ['Resource', 'Type', 'Status', 'Reason', 'Physical id'], page.resources.map(function (r) {
    // Container ids are 64 hex digits: the first 12 identify one, as docker ps shows it.
    var id = el('td', /^[0-9a-f]{64}$/.test(r.physicalId) ? r.physicalId.slice(0, 12) : r.physicalId, { title: r.physicalId });
    return row([r.name, r.type, statusCell(r.status), r.reason, id], { 'data-resource': r.name });
  }));
  fill('actions', ['Action', 'Started', 'Temporal'], page.actions.slice().reverse().map(function (a) {
    var link = el('td');
    link.appendChild(el('a', a.running ? 'running' : 'history', { href: a.link, target: '_blank', rel: 'noopener' }));
    return row([a.action, a.startTime || '', link]);
  }));
  fill('outputs', ['Output', 'Value', 'Description'], (s.outputs || []).map(function (o) {
    return row([o.output_key, o.output_error ? 'error: ' + o.output_error : text(o.output_value), o.description]);
  }));
  fill('parameters', ['Parameter', 'Value'], Object.keys(s.parameters).sort().map(function (k) { return row([k, text(s.parameters[k])], { 'data-parameter': k }); }));
  fill('events', ['Time', 'Resource', 'Status', 'Reason'], page.events.slice(-100).reverse().map(function (e) {
    return row([e.event_time, e.resource_name, statusCell(e.resource_status), e.resource_status_reason]);
  }));
}

/** The page's API answer, or { error } with what it refused for. */
async function getJson(url) {
  var res = await fetch(url);
  var body = await res.json();
  return res.ok ? body : { error: body.error || res.statusText };
}

function showError(message) {
  document.getElementById('reason').textContent = message;
}

async function refresh() {
  try {
    var list = await getJson('/api/stacks');
    if (list.error) return showError(list.error);
    var nav = document.getElementById('stacks');
    nav.replaceChildren();
    list.stacks.forEach(function (s) {
      var a = el('a', undefined, { href: '#' + encodeURIComponent(s.name), 'data-stack': s.name, 'class': s.name === current ? 'current' : '' });
      a.appendChild(el('div', s.name));
      a.appendChild(el('small', s.status, { 'class': 'status ' + phase(s.status) }));
      nav.appendChild(a);
    });
    if (!current) return;
    var page = await getJson('/api/stacks/' + encodeURIComponent(current));
    if (page.error) return showError(page.error);
    showStack(page);
  } catch (err) {
    // The server gone away: fetch itself fails.
    showError(String(err.message || err));
  }
}

window.addEventListener('hashchange', function () {
  current = decodeURIComponent(location.hash.slice(1));
  shape = '';
  refresh();
});
(async function poll() {
  await refresh();
  setTimeout(poll, 1000);
})();
</script>
</body>
</html>
`;
