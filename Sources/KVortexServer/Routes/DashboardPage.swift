/// The monitoring page of `GET /dashboard` (API.md, DESIGN.md "Operations"): one self-contained HTML
/// document, embedded in the binary.
///
/// The page loads nothing from anywhere (inline style and script, no fonts, no CDN), so it works on an
/// air-gapped cluster. In the browser it polls this node's `/metrics` and `/cluster/members` (and, for
/// the cluster-wide view, every member's `/metrics`), parses the Prometheus text itself, keeps the last
/// 10 minutes of derived points and draws them as inline SVG. Its markup is here, its style in
/// `DashboardPage+Style.swift`, its script in `DashboardPage+Script.swift` (data) and
/// `DashboardPage+View.swift` (drawing).
enum DashboardPage {
    /// The whole document in UTF-8, built once on first use and shared by every response.
    static let bytes: [UInt8] = Array((head + style + body + script + scriptView + tail).utf8)

    private static let head = #"""
<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="color-scheme" content="light dark">
<title>KVortex dashboard</title>
<style>

"""#

    private static let body = #"""
</style>
</head>
<body>
<header class="top">
  <div class="title">
    <strong>KVortex</strong>
    <span id="who" class="muted">connecting…</span>
  </div>
  <span id="status" class="pill">connecting…</span>
  <div class="controls">
    <label title="Also poll every member's /metrics and sum them"><input type="checkbox" id="scope" checked> whole cluster</label>
    <label>every <select id="every"><option value="1000">1 s</option><option value="2000" selected>2 s</option><option value="5000">5 s</option></select></label>
    <label>last <select id="span"><option value="60000">1 min</option><option value="300000">5 min</option><option value="600000" selected>10 min</option></select></label>
    <button id="pause" type="button">Pause</button>
    <button id="forget-token" type="button" title="Remove the token from this tab (sessionStorage)" hidden>Forget token</button>
  </div>
</header>
<main>
<div id="banner" class="banner" hidden></div>
<form id="auth" class="auth" autocomplete="off" hidden>
  <label for="token-input"><b>This node needs a token.</b> <span id="auth-note"></span></label>
  <input type="password" id="token-input" placeholder="client token" spellcheck="false" autocomplete="off">
  <button type="submit">Use token</button>
  <span class="muted">Kept in this tab only (sessionStorage) and sent as <code>Authorization: Bearer</code> to every node polled.</span>
</form>
<section id="tiles" class="tiles" aria-label="current figures"></section>
<section class="grid">
  <div class="card" id="chart-rps"><h2>Requests per second by route</h2><div class="plot"></div><div class="legend"></div><p class="note"></p></div>
  <div class="card" id="chart-latency"><h2>Latency percentiles of <select id="latency-route" aria-label="route"></select></h2><div class="plot"></div><div class="legend"></div><p class="note"></p></div>
  <div class="card" id="chart-p99"><h2>p99 latency by route</h2><div class="plot"></div><div class="legend"></div><p class="note"></p></div>
  <div class="card" id="chart-failures"><h2>Quorum failures (503 per second)</h2><div class="plot"></div><div class="legend"></div><p class="note"></p></div>
  <div class="card" id="chart-hints"><h2>Hint backlog (hinted writes held)</h2><div class="plot"></div><div class="legend"></div><p class="note"></p></div>
  <div class="card" id="chart-siblings"><h2>Siblings (per second)</h2><div class="plot"></div><div class="legend"></div><p class="note"></p></div>
  <div class="card" id="chart-members"><h2>Members by state <span class="muted">as this node sees them</span></h2><div class="plot"></div><div class="legend"></div><p class="note"></p></div>
  <div class="card" id="chart-peers"><h2>Peer traffic (frames per second)</h2><div class="plot"></div><div class="legend"></div><p class="note"></p></div>
  <div class="card" id="chart-handoff"><h2>Ownership handoff</h2><div class="plot"></div><div class="legend"></div><p class="note"></p></div>
</section>
<section class="card wide">
  <h2>Members <span id="members-note" class="muted"></span></h2>
  <div class="scroll"><table id="members"></table></div>
</section>
<section class="card wide">
  <h2>Routes <span class="muted">over the last 10 s</span></h2>
  <div class="scroll"><table id="routes"></table></div>
</section>
</main>
<footer class="muted">
  Polls <code>/metrics</code> and <code>/cluster/members</code> of this node (and each member's <code>/metrics</code> for the
  whole cluster); keeps the last 10 minutes in this tab only. Click a legend entry to hide or show its line; hover a chart to read values.
  <span id="version"></span>
</footer>
<script>

"""#

    private static let tail = #"""
</script>
</body>
</html>

"""#
}
