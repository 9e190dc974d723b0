extension DashboardPage {
    /// The first half of the page's script: polling, the Prometheus text parser, rates and percentiles.
    /// It opens the function that `scriptView` (`DashboardPage+View.swift`) closes.
    ///
    /// Every figure is derived in the browser from counter deltas between two polls (a counter that
    /// went down means the node restarted: its new value is the delta). Memory is bounded: each series
    /// keeps at most `HOLD_MS` of points and `POINTS_MAX` points, each node `SNAPSHOTS_MAX` parsed polls.
    static let script = #"""
'use strict';
(() => {
const HOLD_MS = 10 * 60 * 1000;      // points kept in memory: the last 10 minutes...
const POINTS_MAX = 1300;             // ...and never more than this many per series
const LATENCY_WINDOW_MS = 10000;     // percentiles from histogram bucket deltas over the last 10 s
const SNAPSHOTS_MAX = 40;            // parsed polls kept per node (for that window)
const KEY_ROUTES = ['get', 'set', 'delete', 'kv_get', 'kv_put', 'kv_delete', 'batch'];
const MONITORING_ROUTES = ['metrics', 'cluster_members', 'dashboard', 'health', 'ready', 'preflight'];
const ROUTE_ORDER = KEY_ROUTES.concat(['cluster_members', 'cluster_ring', 'cluster_locate', 'cluster_join',
  'cluster_leave', 'health', 'ready', 'metrics', 'dashboard', 'admin_partition', 'preflight', 'not_found', 'method_not_allowed']);
const PALETTE = ['#3b82f6', '#f59e0b', '#10b981', '#ef4444', '#8b5cf6', '#06b6d4', '#ec4899', '#84cc16',
  '#f97316', '#64748b', '#14b8a6', '#a855f7'];
const STATES = ['up', 'suspect', 'down', 'leaving'];
const STATE_COLORS = { up: 'var(--ok)', suspect: 'var(--warn)', down: 'var(--bad)', leaving: 'var(--leaving)' };
const KEYS_LABEL = 'all key routes';
// A client token for a node with --auth-token-file: in this tab's sessionStorage only (gone when the
// tab closes; never in storage that outlives it, never in the URL), sent as Authorization: Bearer on every poll.
const TOKEN_KEY = 'kvortex.dashboard.token';

const $ = (id) => document.getElementById(id);
const params = new URLSearchParams(location.search);
const pageHost = location.hostname || '127.0.0.1';
// `?node=HOST:PORT` watches another node from this page (its /metrics must allow this origin: it does).
const selfBase = params.get('node') ? baseURL(params.get('node')) : '';

let everyMs = Number(params.get('every')) * 1000 || 2000;
let spanMs = 10 * 60 * 1000;
let clusterWide = params.get('scope') !== 'node';
let paused = false;
let timer = null;
let generation = 0;                   // a poll chain ends when a newer one starts
let hoverT = null;
let lastCycleT = Date.now();
const startT = Date.now();            // charts span from here until their window is full

/** One polled node: its recent parsed polls, and since when it does not answer. */
function newNode(id, base) { return { id, base, snapshots: [], failure: null, derived: null }; }
const self = newNode(null, selfBase);
const others = new Map();             // member id -> node, for the cluster-wide view
let members = [];                     // the last /cluster/members answer of this node
let membersFailure = null;
const series = new Map();             // series key -> [[t, value or null], ...]
const hidden = new Set(MONITORING_ROUTES.flatMap((r) => ['rps:' + r, 'lat:' + r + ':0.99']));  // the page's own polls
let latencyRoute = KEYS_LABEL;
let token = loadToken();
let authRefusal = null;               // 401 or 403 of the last cycle's polls (the worst), or null

// ---- token ----------------------------------------------------------------------------------------

function loadToken() {
  try { return sessionStorage.getItem(TOKEN_KEY) || null; } catch (e) { return null; }
}

/** Keeps `value` (trimmed; empty forgets) for this tab and polls again at once. */
function setToken(value) {
  token = value ? value.trim() || null : null;
  try {
    if (token) sessionStorage.setItem(TOKEN_KEY, token); else sessionStorage.removeItem(TOKEN_KEY);
  } catch (e) { /* storage disabled: the token lives in this page only */ }
  authRefusal = null;
  self.failure = null; membersFailure = null;
  for (const node of others.values()) node.failure = null;
  schedule();
}

// ---- fetching ---------------------------------------------------------------------------------

function baseURL(address) {
  if (/^https?:\/\//.test(address)) return address.replace(/\/+$/, '');
  const colon = address.lastIndexOf(':');
  let host = colon > 0 ? address.slice(0, colon) : address;
  const port = colon > 0 ? address.slice(colon + 1) : '';
  // A node listening on every interface gossips 0.0.0.0: reach it by the host this page came from.
  if (host === '' || host === '0.0.0.0' || host === '::' || host === '[::]') host = pageHost;
  if (host.includes(':') && !host.startsWith('[')) host = '[' + host + ']';
  const scheme = location.protocol === 'https:' ? 'https:' : 'http:';
  return scheme + '//' + host + (port ? ':' + port : '');
}

async function fetchText(url) {
  const timeoutMs = Math.max(800, Math.min(everyMs, 4000) - 100);
  const abort = new AbortController();
  const deadline = setTimeout(() => abort.abort(), timeoutMs);
  try {
    // With a token, a request to another member is not "simple": the browser first sends a CORS
    // preflight (OPTIONS), which the node answers without a token and lets it keep 10 minutes. The
    // default cache mode, because Chromium skips that preflight cache for 'no-store' and 'no-cache'
    // (a preflight per poll); the polled routes answer Cache-Control: no-store, so nothing is stored.
    const headers = token ? { Authorization: 'Bearer ' + token } : {};
    const response = await fetch(url, { signal: abort.signal, headers });
    const text = await response.text();
    if (response.status === 401 || response.status === 403) {
      const why = response.status === 401 ? 'needs a token' : token ? 'the token was refused' : 'refused';
      return { ok: false, error: 'HTTP ' + response.status + ' from ' + url + ' (' + why + ')', auth: response.status };
    }
    if (!response.ok) return { ok: false, error: 'HTTP ' + response.status + ' from ' + url };
    return { ok: true, text, t: Date.now() };
  } catch (error) {
    const why = error.name === 'AbortError' ? 'no answer within ' + timeoutMs + ' ms' : 'connection failed (' + error.message + ')';
    return { ok: false, error: why };
  } finally {
    clearTimeout(deadline);
  }
}

/** Records one poll of a node's /metrics: a parsed snapshot, or since when it fails. */
function record(node, result) {
  if (!result.ok) {
    if (!node.failure) node.failure = { since: Date.now(), error: result.error };
    node.failure.error = result.error;
    node.failure.auth = result.auth || null;
    node.snapshots = [];              // after an outage, rates start afresh
    node.derived = null;
    return;
  }
  node.failure = null;
  node.snapshots.push({ t: result.t, m: parseMetrics(result.text) });
  const oldest = result.t - LATENCY_WINDOW_MS - 2 * everyMs;
  while (node.snapshots.length > SNAPSHOTS_MAX || (node.snapshots.length > 2 && node.snapshots[0].t < oldest)) node.snapshots.shift();
  node.derived = derive(node.snapshots);
}

async function cycle() {
  const polled = clusterWide ? members.filter((m) => m.id !== self.id && m.http) : [];
  const [metrics, list, ...rest] = await Promise.all([
    fetchText(self.base + '/metrics'), fetchText(self.base + '/cluster/members'),
    ...polled.map((m) => fetchText(baseURL(m.http) + '/metrics')),
  ]);
  const refusals = [metrics, list, ...rest].map((r) => r.auth || 0);
  authRefusal = Math.max(...refusals) || null;   // a 403 (wrong token) says more than a 401
  record(self, metrics);
  if (self.derived && self.derived.nodeID) self.id = self.derived.nodeID;
  if (list.ok) {
    try { members = JSON.parse(list.text).members || []; membersFailure = null; } catch (e) { membersFailure = 'bad JSON: ' + e.message; }
  } else {
    membersFailure = list.error;
  }
  const seen = new Set();
  polled.forEach((m, index) => {
    let node = others.get(m.id);
    if (!node) { node = newNode(m.id, ''); others.set(m.id, node); }
    node.base = baseURL(m.http);
    record(node, rest[index]);
    seen.add(m.id);
  });
  for (const id of [...others.keys()]) if (!seen.has(id)) others.delete(id);
  lastCycleT = Date.now();
  collect(lastCycleT);
  render();
}

function schedule() {
  const chain = ++generation;
  clearTimeout(timer);
  if (paused) return;
  const started = Date.now();
  cycle().catch((e) => showScriptError(e)).finally(() => {
    if (chain === generation && !paused) timer = setTimeout(schedule, Math.max(100, everyMs - (Date.now() - started)));
  });
}

// ---- Prometheus text --------------------------------------------------------------------------

/** Parses the exposition format into name -> [[labels, value], ...]; comments and bad lines are skipped. */
function parseMetrics(text) {
  const out = new Map();
  const line = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})?\s+(\S+)/;
  const label = /([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g;
  for (const raw of text.split('\n')) {
    if (raw === '' || raw[0] === '#') continue;
    const match = line.exec(raw);
    if (!match) continue;
    const labels = {};
    if (match[2]) for (const l of match[2].matchAll(label)) labels[l[1]] = l[2].replace(/\\(.)/g, (_, c) => (c === 'n' ? '\n' : c));
    const value = match[3] === '+Inf' ? Infinity : match[3] === '-Inf' ? -Infinity : parseFloat(match[3]);
    if (!out.has(match[1])) out.set(match[1], []);
    out.get(match[1]).push([labels, value]);
  }
  return out;
}

/** The sum of a metric's samples whose labels pass `keep`; null when it has none. */
function total(m, name, keep) {
  let sum = null;
  for (const [labels, value] of m.get(name) || []) if (!keep || keep(labels)) sum = (sum || 0) + value;
  return sum;
}

/** A metric's samples summed by the value of one label. */
function byLabel(m, name, key, keep) {
  const out = {};
  for (const [labels, value] of m.get(name) || []) if (!keep || keep(labels)) out[labels[key]] = (out[labels[key]] || 0) + value;
  return out;
}

/** The increase of a counter; a counter that went down restarted from zero. */
function increase(now, before) {
  if (now == null) return null;
  if (before == null) return now;
  return now >= before ? now - before : now;
}

function increases(now, before) {
  const out = {};
  for (const key of Object.keys(now)) out[key] = increase(now[key], before[key]);
  return out;
}

function perSecond(object, seconds) {
  const out = {};
  for (const key of Object.keys(object)) out[key] = object[key] / seconds;
  return out;
}

/** Cumulative bucket counts by route, then by `le`. */
function buckets(m) {
  const out = {};
  for (const [labels, value] of m.get('kvortex_http_request_duration_seconds_bucket') || []) {
    (out[labels.route] = out[labels.route] || {})[labels.le] = value;
  }
  return out;
}

/** histogram_quantile: linear interpolation inside the bucket holding the rank. */
function quantile(q, counts) {
  const bounds = Object.keys(counts).map((le) => [le === '+Inf' ? Infinity : parseFloat(le), counts[le]]).sort((a, b) => a[0] - b[0]);
  const all = bounds.length ? bounds[bounds.length - 1][1] : 0;
  if (!(all > 0)) return null;
  const rank = q * all;
  let lowerBound = 0, lowerCount = 0;
  for (const [bound, count] of bounds) {
    if (count >= rank) {
      if (bound === Infinity) return lowerBound;
      return lowerBound + (bound - lowerBound) * (count > lowerCount ? (rank - lowerCount) / (count - lowerCount) : 1);
    }
    lowerBound = bound; lowerCount = count;
  }
  return lowerBound;
}

// ---- derived figures ----------------------------------------------------------------------------

/** What one node's last polls say: gauges now, rates since the poll before, bucket deltas over the window. */
function derive(snapshots) {
  const now = snapshots[snapshots.length - 1];
  const m = now.m;
  const info = (m.get('kvortex_node_info') || [])[0];
  const d = {
    nodeID: info ? info[0].node : null,
    hintsPending: total(m, 'kvortex_hints_pending'),
    transfersPending: total(m, 'kvortex_ownership_transfers_pending'),
    peerLinks: total(m, 'kvortex_peer_links'),
    leaving: total(m, 'kvortex_cluster_leaving'),
    ready: total(m, 'kvortex_cluster_ready'),
    membersByState: byLabel(m, 'kvortex_cluster_members', 'state'),
    rates: null,
    latency: null,
  };
  if (snapshots.length >= 2) d.rates = rates(now, snapshots[snapshots.length - 2]);
  let base = null;
  for (const s of snapshots) if (s !== now && s.t >= now.t - LATENCY_WINDOW_MS) { base = s; break; }
  if (!base && snapshots.length >= 2) base = snapshots[snapshots.length - 2];
  if (base) {
    const later = buckets(m), earlier = buckets(base.m), latency = {};
    for (const route of Object.keys(later)) latency[route] = increases(later[route], earlier[route] || {});
    const status503 = (l) => l.status === '503';
    d.latency = {
      seconds: (now.t - base.t) / 1000,
      buckets: latency,
      requests: increases(byLabel(m, 'kvortex_http_requests_total', 'route'), byLabel(base.m, 'kvortex_http_requests_total', 'route')),
      failures: increases(byLabel(m, 'kvortex_http_requests_total', 'route', status503), byLabel(base.m, 'kvortex_http_requests_total', 'route', status503)),
    };
  }
  return d;
}

function rates(now, before) {
  const seconds = (now.t - before.t) / 1000;
  if (!(seconds > 0)) return null;
  const a = now.m, b = before.m;
  const one = (name, keep) => { const v = increase(total(a, name, keep), total(b, name, keep)); return v == null ? null : v / seconds; };
  const grouped = (name, key, keep) => perSecond(increases(byLabel(a, name, key, keep), byLabel(b, name, key, keep)), seconds);
  const peer = grouped('kvortex_peer_events_total', 'event');
  return {
    requests: grouped('kvortex_http_requests_total', 'route'),
    failures: grouped('kvortex_http_requests_total', 'route', (l) => l.status === '503'),
    refused: one('kvortex_operations_refused_total'),
    hints: grouped('kvortex_hints_total', 'event'),
    siblingReads: one('kvortex_sibling_reads_total'),
    siblingsAnswered: one('kvortex_sibling_reads_siblings_total'),
    siblingsCapped: one('kvortex_siblings_capped_total'),
    lwwOverwrites: one('kvortex_lww_overwrites_total'),
    readRepairs: one('kvortex_read_repairs_total'),
    framesSent: peer.framesSent ?? null,
    framesReceived: peer.framesReceived ?? null,
    connectFailures: peer.connectFailures ?? null,
    disconnects: peer.disconnects ?? null,
    objectsHandedOff: one('kvortex_ownership_objects_handed_off_total'),
    deliveriesFailed: one('kvortex_ownership_deliveries_failed_total'),
  };
}

/** Adds `from` into `into`, field by field (numbers summed, objects merged, nulls skipped). */
function addInto(into, from) {
  for (const key of Object.keys(from)) {
    const value = from[key];
    if (value == null) continue;
    if (typeof value === 'number') into[key] = (into[key] || 0) + value;
    else if (typeof value === 'object') addInto(into[key] = into[key] || {}, value);
  }
  return into;
}

/** The nodes whose figures are summed: this one, and every reachable member for the whole cluster. */
function counted() {
  const list = self.derived ? [self] : [];
  if (clusterWide) for (const node of others.values()) if (node.derived && node.id !== self.id) list.push(node);
  return list;
}

/** The sum over counted nodes, or null when no node answered. */
function aggregate() {
  const nodes = counted();
  if (nodes.length === 0) return null;
  const sum = { rates: null, latency: null, hintsPending: 0, transfersPending: 0, peerLinks: 0 };
  for (const node of nodes) {
    const d = node.derived;
    sum.hintsPending += d.hintsPending || 0;
    sum.transfersPending += d.transfersPending || 0;
    sum.peerLinks += d.peerLinks || 0;
    if (d.rates) sum.rates = addInto(sum.rates || {}, d.rates);
    if (d.latency) sum.latency = addInto(sum.latency || {}, { buckets: d.latency.buckets, requests: perSecond(d.latency.requests, d.latency.seconds), failures: perSecond(d.latency.failures, d.latency.seconds) });
  }
  return sum;
}

/** Bucket deltas of every key route together. */
function keyRouteBuckets(latency) {
  const out = {};
  for (const route of KEY_ROUTES) if (latency.buckets[route]) addInto(out, latency.buckets[route]);
  return out;
}

function push(key, t, value) {
  let points = series.get(key);
  if (!points) { points = []; series.set(key, points); }
  points.push([t, value == null || !isFinite(value) ? null : value]);
  while (points.length > POINTS_MAX || (points.length && points[0][0] < t - HOLD_MS)) points.shift();
}

/** Pushes one point on every series; a series with nothing to say this time gets a gap. */
function collect(t) {
  const sum = aggregate();
  const r = sum && sum.rates;
  const known = (prefix, values) => {
    const keys = new Set(Object.keys(values || {}));
    for (const key of series.keys()) if (key.startsWith(prefix)) keys.add(key.slice(prefix.length));
    for (const key of keys) push(prefix + key, t, r ? (values[key] || 0) : null);
  };
  known('rps:', r && r.requests);
  known('503:', r && r.failures);
  const l = sum && sum.latency;
  const routes = new Set([KEYS_LABEL, ...(l ? Object.keys(l.buckets) : [])]);
  for (const key of series.keys()) if (key.startsWith('lat:')) routes.add(key.split(':')[1]);
  for (const route of routes) {
    const counts = !l ? null : route === KEYS_LABEL ? keyRouteBuckets(l) : l.buckets[route];
    for (const q of [0.5, 0.9, 0.99]) push('lat:' + route + ':' + q, t, counts ? quantile(q, counts) : null);
  }
  const pending = {};
  for (const node of [self, ...(clusterWide ? others.values() : [])]) {
    if (node.id) pending[node.id] = node.derived ? node.derived.hintsPending : null;
  }
  for (const key of series.keys()) if (key.startsWith('hints:') && !(key.slice(6) in pending)) pending[key.slice(6)] = null;
  for (const id of Object.keys(pending)) push('hints:' + id, t, pending[id]);
  push('sib:reads', t, r && r.siblingReads);
  push('sib:capped', t, r && r.siblingsCapped);
  push('sib:lww', t, r && r.lwwOverwrites);
  for (const state of STATES) push('mem:' + state, t, self.derived ? self.derived.membersByState[state] || 0 : null);
  push('peer:sent', t, r && r.framesSent);
  push('peer:received', t, r && r.framesReceived);
  push('handoff:pending', t, sum && sum.transfersPending);
  push('handoff:objects', t, r && r.objectsHandedOff);
  // A series with nothing but gaps left (a member that went away, a route no longer used) is dropped.
  for (const [key, points] of series) if (points.length > 1 && points.every((p) => p[1] == null)) series.delete(key);
}

"""#
}
