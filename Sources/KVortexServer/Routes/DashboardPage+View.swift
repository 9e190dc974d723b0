extension DashboardPage {
    /// The second half of the page's script, inside the function `script` opens: number formatting,
    /// the SVG line charts (hover reads every chart at one time, a legend click hides a line), tiles,
    /// the members and routes tables, the problems banner and the controls.
    static let scriptView = #"""
// ---- formatting ---------------------------------------------------------------------------------

function esc(text) {
  return String(text).replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]);
}
function clock(t) {
  const d = new Date(t);
  return [d.getHours(), d.getMinutes(), d.getSeconds()].map((n) => String(n).padStart(2, '0')).join(':');
}
function number(v) {
  if (v == null || !isFinite(v)) return '–';
  const a = Math.abs(v);
  if (a >= 1e6) return (v / 1e6).toFixed(a >= 1e7 ? 0 : 1) + 'M';
  if (a >= 1e4) return (v / 1e3).toFixed(a >= 1e5 ? 0 : 1) + 'k';
  if (a >= 100 || v === Math.round(v)) return String(Math.round(v));
  return String(parseFloat(v.toFixed(a >= 10 ? 1 : 2)));
}
function millis(seconds) {
  if (seconds == null || !isFinite(seconds)) return '–';
  if (seconds === 0) return '0';
  const ms = seconds * 1000;
  if (ms >= 1000) return (ms / 1000).toFixed(2) + ' s';
  return parseFloat(ms >= 100 ? ms.toFixed(0) : ms >= 10 ? ms.toFixed(1) : ms.toFixed(2)) + ' ms';
}
function routeColor(route) {
  const index = ROUTE_ORDER.indexOf(route);
  return PALETTE[(index < 0 ? ROUTE_ORDER.length + route.length : index) % PALETTE.length];
}
function routeRank(route) { const i = ROUTE_ORDER.indexOf(route); return i < 0 ? 99 : i; }
function last(key) {
  const points = series.get(key) || [];
  for (let i = points.length - 1; i >= 0; i--) if (points[i][1] != null) return points[i][1];
  return null;
}

// ---- charts --------------------------------------------------------------------------------------

function niceStep(range, ticks) {
  const raw = range / ticks, power = Math.pow(10, Math.floor(Math.log10(raw)));
  const unit = raw / power;
  return (unit <= 1 ? 1 : unit <= 2 ? 2 : unit <= 2.5 ? 2.5 : unit <= 5 ? 5 : 10) * power;
}

/** The value of a series at time t (the last point at or before it). */
function valueAt(points, t) {
  let found = null;
  for (const [pt, v] of points) { if (pt > t) break; found = v; }
  return found;
}

/** Draws lines as inline SVG in `card`, with a legend that reads the hovered time (or the latest). */
function drawChart(card, lines, format, note, integer) {
  const plot = card.querySelector('.plot');
  const width = Math.max(200, plot.clientWidth), height = plot.clientHeight || 190;
  const left = 52, right = 8, top = 8, bottom = 20;
  const t1 = lastCycleT, t0 = Math.max(t1 - spanMs, Math.min(startT, t1 - 5 * everyMs));
  const x = (t) => left + ((t - t0) / (t1 - t0)) * (width - left - right);
  let max = 0, any = false;
  for (const line of lines) {
    if (hidden.has(line.key)) continue;
    for (const [t, v] of line.points) if (t >= t0 && v != null) { any = true; if (v > max) max = v; }
  }
  const step = Math.max(integer ? 1 : 0, niceStep(max > 0 ? max : 1, 4)), ceiling = Math.max(step, Math.ceil(max / step) * step);
  const y = (v) => top + (1 - v / ceiling) * (height - top - bottom);
  const svg = [];
  for (let v = 0; v <= ceiling + step / 2; v += step) {
    svg.push(`<line class="gridline" x1="${left}" x2="${width - right}" y1="${y(v)}" y2="${y(v)}"/>`);
    svg.push(`<text x="${left - 6}" y="${y(v) + 4}" text-anchor="end">${esc(format(v))}</text>`);
  }
  const tickMs = [1, 2, 5, 10, 15, 30, 60, 120, 300, 600].map((s) => s * 1000).find((s) => (t1 - t0) / s <= 6) || 600000;
  for (let t = Math.ceil(t0 / tickMs) * tickMs; t <= t1; t += tickMs) {
    svg.push(`<line class="gridline" x1="${x(t)}" x2="${x(t)}" y1="${top}" y2="${height - bottom}"/>`);
    // A label that would stick out of the plot is left off (its grid line stays).
    if (x(t) - 24 >= left - 8 && x(t) + 24 <= width) svg.push(`<text x="${x(t)}" y="${height - 5}" text-anchor="middle">${clock(t)}</text>`);
  }
  svg.push(`<line class="axis" x1="${left}" x2="${width - right}" y1="${y(0)}" y2="${y(0)}"/>`);
  for (const line of lines) {
    if (hidden.has(line.key)) continue;
    let d = '', pen = false;
    for (const [t, v] of line.points) {
      if (t < t0 || v == null) { pen = false; continue; }
      d += (pen ? 'L' : 'M') + x(t).toFixed(1) + ' ' + y(v).toFixed(1);
      pen = true;
    }
    if (d) svg.push(`<path d="${d}" style="stroke:${line.color}${line.dashed ? ';stroke-dasharray:5 4' : ''}"/>`);
  }
  const empty = self.failure && counted().length === 0
    ? (self.failure.auth === 403 ? 'no data: the token was refused' : self.failure.auth ? 'no data: this node needs a token' : 'no data: this node is unreachable')
    : lines.emptyText || 'no data yet';
  if (!any) svg.push(`<text class="empty" x="${(left + width) / 2}" y="${height / 2}" text-anchor="middle">${esc(empty)}</text>`);
  if (hoverT != null && hoverT >= t0) svg.push(`<line class="cursor" x1="${x(hoverT)}" x2="${x(hoverT)}" y1="${top}" y2="${height - bottom}"/>`);
  plot.innerHTML = `<svg viewBox="0 0 ${width} ${height}" preserveAspectRatio="none" role="img">${svg.join('')}</svg>`;
  Object.assign(plot.dataset, { left, right, t0, t1 });
  const at = hoverT != null ? ' at ' + clock(hoverT) : '';
  card.querySelector('.legend').innerHTML = (hoverT != null ? `<span class="muted">at ${clock(hoverT)}</span>` : '') + lines.map((line) => {
    const value = hoverT != null ? valueAt(line.points, hoverT) : last(line.key);
    return `<button data-key="${esc(line.key)}" class="${hidden.has(line.key) ? 'off' : ''}" title="click to hide or show${at}">` +
      `<i style="background:${line.color}"></i>${esc(line.name)} <b>${esc(format(value))}</b></button>`;
  }).join('');
  card.querySelector('.note').innerHTML = note || '';
}

function linesWithPrefix(prefix, color, name) {
  const out = [];
  for (const [key, points] of series) if (key.startsWith(prefix)) out.push({ key, points, name: name(key.slice(prefix.length)), color: color(key.slice(prefix.length)) });
  return out;
}

function byRoute(lines) {
  return lines.sort((a, b) => routeRank(a.name) - routeRank(b.name) || a.name.localeCompare(b.name));
}

function renderCharts() {
  const sum = aggregate(), r = sum && sum.rates;
  const scope = clusterWide ? `summed over ${counted().length} of ${Math.max(members.length, 1)} nodes` : 'this node only';

  const rps = byRoute(linesWithPrefix('rps:', routeColor, (route) => route));
  rps.emptyText = 'no requests yet';
  drawChart($('chart-rps'), rps, number, `total ${number(r ? Object.values(r.requests).reduce((a, b) => a + b, 0) : null)} requests/s · ${scope}; monitoring routes hidden until clicked`);

  const qColors = { 0.5: '#10b981', 0.9: '#f59e0b', 0.99: '#ef4444' };
  const lat = [0.5, 0.9, 0.99].map((q) => {
    const key = 'lat:' + latencyRoute + ':' + q;
    return { key, points: series.get(key) || [], name: 'p' + Math.round(q * 100), color: qColors[q] };
  });
  lat.emptyText = 'no ' + (latencyRoute === KEYS_LABEL ? 'key' : latencyRoute) + ' requests in the last 10 s';
  drawChart($('chart-latency'), lat, millis, `over the last 10 s, ${scope}, from <code>kvortex_http_request_duration_seconds</code> bucket deltas`);

  const p99 = byRoute(linesWithPrefix('lat:', routeColor, (key) => key.split(':')[0]).filter((line) => line.key.endsWith(':0.99') && !line.key.startsWith('lat:' + KEYS_LABEL)));
  for (const line of p99) line.color = routeColor(line.name);
  p99.emptyText = 'no requests in the last 10 s';
  drawChart($('chart-p99'), p99, millis, 'p99 of each route over the last 10 s; pick a route above for its p50 and p90');

  const failures = byRoute(linesWithPrefix('503:', routeColor, (route) => route));
  failures.emptyText = 'no 503 answers';
  const refused = r && r.refused;
  drawChart($('chart-failures'), failures, number, `quorum not met or timed out, ${scope}; refused as overloaded: ${number(refused)}/s`);

  const hints = linesWithPrefix('hints:', (id) => PALETTE[[...series.keys()].filter((k) => k.startsWith('hints:')).indexOf('hints:' + id) % PALETTE.length], (id) => id + (id === self.id ? ' (this node)' : ''));
  const h = r && r.hints;
  drawChart($('chart-hints'), hints, number, `stored ${number(h && h.stored)}/s · delivered ${number(h && h.delivered)}/s · dropped (store full) ${number(h && h.dropped_full)}/s`, true);

  const sib = [
    { key: 'sib:reads', name: 'reads answering siblings', color: '#8b5cf6' },
    { key: 'sib:capped', name: 'merged away at the cap', color: '#ef4444' },
    { key: 'sib:lww', name: 'LWW overwrites', color: '#64748b' },
  ].map((line) => Object.assign(line, { points: series.get(line.key) || [] }));
  const perRead = r && r.siblingReads > 0 ? r.siblingsAnswered / r.siblingReads : null;
  drawChart($('chart-siblings'), sib, number, `siblings per conflicted read: ${perRead == null ? '–' : perRead.toFixed(1)} · read repairs ${number(r && r.readRepairs)}/s`);

  const states = STATES.map((state) => ({ key: 'mem:' + state, name: state, color: STATE_COLORS[state], points: series.get('mem:' + state) || [] }));
  drawChart($('chart-members'), states, number, `${members.length} member${members.length === 1 ? '' : 's'} listed by <code>/cluster/members</code>`, true);

  const peers = [
    { key: 'peer:sent', name: 'sent', color: '#3b82f6' },
    { key: 'peer:received', name: 'received', color: '#06b6d4', dashed: true },
  ].map((line) => Object.assign(line, { points: series.get(line.key) || [] }));
  drawChart($('chart-peers'), peers, number, `peer links ${number(sum && sum.peerLinks)} · connect failures ${number(r && r.connectFailures)}/s · disconnects ${number(r && r.disconnects)}/s`);

  const handoff = [
    { key: 'handoff:pending', name: 'partition transfers pending', color: '#f97316' },
    { key: 'handoff:objects', name: 'objects handed off/s', color: '#10b981' },
  ].map((line) => Object.assign(line, { points: series.get(line.key) || [] }));
  drawChart($('chart-handoff'), handoff, number, `failed deliveries ${number(r && r.deliveriesFailed)}/s (their transfer is sent again)`, true);
}

// ---- tiles, tables, banner --------------------------------------------------------------------

function tile(label, value, level) {
  return `<div class="tile ${level || ''}"><div class="value">${esc(value)}</div><div class="label">${esc(label)}</div></div>`;
}

function renderTiles() {
  const sum = aggregate(), r = sum && sum.rates;
  const requests = r ? KEY_ROUTES.reduce((a, route) => a + (r.requests[route] || 0), 0) : null;
  const failures = r ? Object.values(r.failures).reduce((a, b) => a + b, 0) : null;
  const p99 = last('lat:' + KEYS_LABEL + ':0.99');
  const up = members.filter((m) => m.state === 'up').length;
  $('tiles').innerHTML = [
    tile('key requests/s', number(requests), r ? 'ok' : ''),
    tile('p99, key routes (10 s)', millis(p99), p99 == null ? '' : p99 > 0.05 ? 'bad' : p99 > 0.005 ? 'warn' : 'ok'),
    tile('503/s (quorum failures)', number(failures), failures == null ? '' : failures > 0 ? 'bad' : 'ok'),
    tile('hints pending', number(sum && sum.hintsPending), !sum ? '' : sum.hintsPending > 0 ? 'warn' : 'ok'),
    tile('sibling reads/s', number(r && r.siblingReads), !r ? '' : r.siblingReads > 0 ? 'warn' : 'ok'),
    tile('members up', members.length ? up + ' / ' + members.length : '–', !members.length ? '' : up === members.length ? 'ok' : up * 2 > members.length ? 'warn' : 'bad'),
    tile('transfers pending', number(sum && sum.transfersPending), !sum ? '' : sum.transfersPending > 0 ? 'warn' : 'ok'),
  ].join('');
}

function nodeFor(member) {
  if (member.id === self.id) return self;
  return clusterWide ? others.get(member.id) : null;
}

function renderMembers() {
  const head = '<tr><th>node</th><th>state</th><th>HTTP</th><th>peer</th><th>polled</th><th class="num">requests/s</th>' +
    '<th class="num">p99 (10 s)</th><th class="num">hints pending</th><th class="num">peer links</th><th>leave</th></tr>';
  const rows = members.map((m) => {
    const node = nodeFor(m), d = node && node.derived;
    let polled = '<span class="muted">not polled (whole cluster is off)</span>';
    if (node && node.failure) polled = `<span class="err">unreachable since ${clock(node.failure.since)}: ${esc(node.failure.error)}</span>`;
    else if (d) polled = 'ok';
    else if (node) polled = '<span class="muted">waiting…</span>';
    let requests = null, p99 = null;
    if (d && d.latency) {
      const l = d.latency;
      requests = KEY_ROUTES.reduce((a, route) => a + (l.requests[route] || 0), 0) / l.seconds;
      const counts = {};
      for (const route of KEY_ROUTES) if (l.buckets[route]) addInto(counts, l.buckets[route]);
      p99 = quantile(0.99, counts);
    }
    const leave = !d || d.leaving == null ? '' : ['', 'handing off', 'handed off, stopping'][d.leaving] || '';
    const isSelf = m.id === self.id;
    return `<tr class="${isSelf ? 'self' : ''}"><td>${esc(m.id)}${isSelf ? '<span class="badge">this node</span>' : ''}</td>` +
      `<td><span class="pill state-${esc(m.state)}">${esc(m.state)}</span></td>` +
      `<td>${m.http ? `<a href="${esc(baseURL(m.http))}/dashboard">${esc(m.http)}</a>` : '–'}</td><td>${esc(m.peer || '–')}</td>` +
      `<td>${polled}</td><td class="num">${number(requests)}</td><td class="num">${millis(p99)}</td>` +
      `<td class="num">${number(d && d.hintsPending)}</td><td class="num">${number(d && d.peerLinks)}</td><td>${esc(leave)}</td></tr>`;
  });
  $('members').innerHTML = head + (rows.join('') || `<tr><td colspan="10" class="muted">${membersFailure ? 'members unknown: ' + esc(membersFailure) : 'waiting for /cluster/members…'}</td></tr>`);
  $('members-note').textContent = membersFailure && members.length ? '(last known list: ' + membersFailure + ')' : 'states as this node sees them';
}

function renderRoutes() {
  const sum = aggregate(), l = sum && sum.latency;
  const head = '<tr><th>route</th><th class="num">requests/s</th><th class="num">p50</th><th class="num">p90</th><th class="num">p99</th><th class="num">503/s</th></tr>';
  if (!l) { $('routes').innerHTML = head + '<tr><td colspan="6" class="muted">no data yet</td></tr>'; return; }
  const routes = Object.keys(l.buckets).filter((route) => (l.requests[route] || 0) > 0).sort((a, b) => routeRank(a) - routeRank(b));
  const row = (name, counts, requests, failures) => `<tr><td><i style="display:inline-block;width:10px;height:10px;border-radius:2px;margin-right:6px;background:${name === KEYS_LABEL ? 'var(--muted)' : routeColor(name)}"></i>${esc(name)}</td>` +
    `<td class="num">${number(requests)}</td><td class="num">${millis(quantile(0.5, counts))}</td><td class="num">${millis(quantile(0.9, counts))}</td>` +
    `<td class="num">${millis(quantile(0.99, counts))}</td><td class="num ${failures > 0 ? 'err' : ''}">${number(failures)}</td></tr>`;
  const keyRequests = KEY_ROUTES.reduce((a, route) => a + (l.requests[route] || 0), 0);
  const keyFailures = KEY_ROUTES.reduce((a, route) => a + (l.failures[route] || 0), 0);
  $('routes').innerHTML = head + row(KEYS_LABEL, keyRouteBuckets(l), keyRequests, keyFailures) +
    routes.map((route) => row(route, l.buckets[route], l.requests[route], l.failures[route] || 0)).join('');
}

function renderLatencyChoices() {
  const select = $('latency-route');
  const routes = [KEYS_LABEL, ...new Set([...series.keys()].filter((k) => k.startsWith('lat:')).map((k) => k.split(':')[1]).filter((r) => r !== KEYS_LABEL))];
  routes.sort((a, b) => (a === KEYS_LABEL ? -1 : b === KEYS_LABEL ? 1 : routeRank(a) - routeRank(b)));
  const current = [...select.options].map((o) => o.value).join('|');
  if (current !== routes.join('|')) {
    select.innerHTML = routes.map((route) => `<option${route === latencyRoute ? ' selected' : ''}>${esc(route)}</option>`).join('');
  }
}

function renderStatus() {
  const status = $('status'), problems = [];
  const address = self.base ? self.base.replace(/^https?:\/\//, '') : location.host;
  $('who').textContent = (self.id ? 'node ' + self.id + ' · ' : '') + address + (members.length ? ' · cluster of ' + members.length : '');
  if (paused) {
    status.className = 'pill'; status.textContent = 'paused at ' + clock(lastCycleT);
  } else if (self.failure && self.failure.auth) {
    status.className = 'pill bad'; status.textContent = self.failure.auth === 403 ? 'token refused' : 'needs a token';
    problems.push(`This node (${esc(address)}) refuses the page's polls: ${esc(self.failure.error)}. Enter a client token in the field below.`);
  } else if (self.failure) {
    status.className = 'pill bad'; status.textContent = 'unreachable since ' + clock(self.failure.since);
    problems.push(`This node (${esc(address)}) is unreachable since ${clock(self.failure.since)}: ${esc(self.failure.error)}. Retrying every ${everyMs / 1000} s; the charts keep what they had.`);
  } else {
    status.className = 'pill ok'; status.textContent = 'live · updated ' + clock(lastCycleT);
  }
  if (membersFailure && !self.failure) problems.push(`/cluster/members failed: ${esc(membersFailure)}`);
  if (clusterWide) {
    for (const node of others.values()) {
      if (!node.failure) continue;
      const where = `${esc(node.id)} (${esc(node.base.replace(/^https?:\/\//, ''))})`;
      problems.push(node.failure.auth ? `${where} refuses this page's polls: ${esc(node.failure.error)}`
        : `${where} unreachable from this page since ${clock(node.failure.since)}: ${esc(node.failure.error)}`);
    }
  }
  for (const m of members) if (m.state !== 'up') problems.push(`${esc(m.id)} is <b>${esc(m.state)}</b> as this node sees it`);
  const banner = $('banner');
  banner.hidden = problems.length === 0;
  banner.className = 'banner' + (self.failure ? ' bad' : '');
  banner.innerHTML = problems.length === 1 ? problems[0] : `<b>${problems.length} problems</b><ul>${problems.map((p) => '<li>' + p + '</li>').join('')}</ul>`;
}

/** The token field while a poll is refused for its token (401: none sent, 403: not accepted). */
function renderAuth() {
  const form = $('auth');
  const refused = Boolean(authRefusal);
  form.hidden = !refused;
  form.className = 'auth' + (authRefusal === 403 ? ' bad' : '');
  $('auth-note').textContent = !refused ? ''
    : authRefusal === 403 ? 'The token was refused (403 forbidden): it is not one this node (or a member) accepts. Paste a client token of its --auth-token-file.'
    : token ? 'A member refused the request without a token (401): paste a client token.'
    : 'Its polls are refused (401 unauthorized): paste a client token of its --auth-token-file.';
  $('forget-token').hidden = !token;
}

function render() {
  renderAuth();
  renderStatus();
  renderTiles();
  renderLatencyChoices();
  renderCharts();
  renderMembers();
  renderRoutes();
}

function showScriptError(error) {
  const banner = $('banner');
  banner.hidden = false;
  banner.className = 'banner bad';
  banner.textContent = 'The dashboard script failed: ' + (error && error.stack ? error.stack : error);
  if (window.console) console.error(error);
}

// ---- controls -----------------------------------------------------------------------------------

$('scope').checked = clusterWide;
$('every').value = String(everyMs);
if ($('every').value !== String(everyMs)) { everyMs = 2000; $('every').value = '2000'; }
$('scope').addEventListener('change', (e) => { clusterWide = e.target.checked; if (!clusterWide) others.clear(); schedule(); });
$('every').addEventListener('change', (e) => { everyMs = Number(e.target.value); schedule(); });
$('span').addEventListener('change', (e) => { spanMs = Number(e.target.value); renderCharts(); });
$('latency-route').addEventListener('change', (e) => { latencyRoute = e.target.value; renderCharts(); });
$('auth').addEventListener('submit', (e) => {
  e.preventDefault();                 // nothing is submitted anywhere (form-action 'none')
  const input = $('token-input');
  const value = input.value;
  input.value = '';
  if (value.trim()) { setToken(value); render(); }
});
$('forget-token').addEventListener('click', () => { setToken(null); render(); });
$('pause').addEventListener('click', (e) => {
  paused = !paused;
  e.target.textContent = paused ? 'Resume' : 'Pause';
  if (paused) { clearTimeout(timer); renderStatus(); } else schedule();
});
document.addEventListener('click', (e) => {
  const button = e.target.closest('.legend button');
  if (!button) return;
  const key = button.dataset.key;
  if (hidden.has(key)) hidden.delete(key); else hidden.add(key);
  renderCharts();
});
document.querySelectorAll('.plot').forEach((plot) => {
  plot.addEventListener('mousemove', (e) => {
    const box = plot.getBoundingClientRect(), left = Number(plot.dataset.left || 52), right = Number(plot.dataset.right || 8);
    const fraction = (e.clientX - box.left - left) / (box.width - left - right);
    const t0 = Number(plot.dataset.t0), t1 = Number(plot.dataset.t1);
    hoverT = fraction < 0 || fraction > 1 ? null : t0 + fraction * (t1 - t0);
    renderCharts();
  });
  plot.addEventListener('mouseleave', () => { hoverT = null; renderCharts(); });
});
let resizing = null;
window.addEventListener('resize', () => { clearTimeout(resizing); resizing = setTimeout(renderCharts, 100); });
window.addEventListener('error', (e) => showScriptError(e.error || e.message));
render();
schedule();
})();

"""#
}
