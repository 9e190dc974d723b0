extension DashboardPage {
    /// The page's CSS: system fonts, light and dark palettes (`prefers-color-scheme`), a grid of cards.
    static let style = #"""
:root {
  color-scheme: light dark;
  --bg: #f4f6f9; --card: #ffffff; --fg: #1b2130; --muted: #5b6576; --grid: #e6e9ee; --border: #dce0e6;
  --ok: #1a7f37; --warn: #a15c00; --bad: #c62828; --info: #1f6feb; --leaving: #7c3aed;
  --ok-bg: #e6f4ea; --warn-bg: #fff4e0; --bad-bg: #fdecea; --info-bg: #e8f0fe; --leaving-bg: #f1eafe;
}
@media (prefers-color-scheme: dark) {
  :root {
    --bg: #0e1116; --card: #161b22; --fg: #e6e9ef; --muted: #98a2b3; --grid: #262d38; --border: #2b323d;
    --ok: #3fb950; --warn: #e3a21a; --bad: #ff6b61; --info: #58a6ff; --leaving: #b58cff;
    --ok-bg: #12301c; --warn-bg: #3a2a0a; --bad-bg: #3d1614; --info-bg: #132a4a; --leaving-bg: #2a1b47;
  }
}
* { box-sizing: border-box; }
body { margin: 0; background: var(--bg); color: var(--fg); font: 14px/1.4 system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif; }
code { font: 12px ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; }
.muted { color: var(--muted); font-weight: normal; }
.top { position: sticky; top: 0; z-index: 2; display: flex; flex-wrap: wrap; align-items: center; gap: 8px 16px;
  padding: 10px 20px; background: var(--card); border-bottom: 1px solid var(--border); }
.title { font-size: 17px; display: flex; gap: 10px; align-items: baseline; flex-wrap: wrap; }
.controls { margin-left: auto; display: flex; gap: 14px; align-items: center; flex-wrap: wrap; }
.controls label { display: flex; gap: 5px; align-items: center; color: var(--muted); }
select, button { font: inherit; color: var(--fg); background: var(--bg); border: 1px solid var(--border); border-radius: 6px; padding: 2px 6px; }
button { cursor: pointer; padding: 3px 12px; }
main { padding: 14px 20px 4px; }
.pill { display: inline-block; padding: 2px 10px; border-radius: 999px; font-size: 12.5px; font-weight: 600;
  background: var(--info-bg); color: var(--info); white-space: nowrap; }
.pill.ok, .state-up { background: var(--ok-bg); color: var(--ok); }
.pill.warn, .state-suspect { background: var(--warn-bg); color: var(--warn); }
.pill.bad, .state-down { background: var(--bad-bg); color: var(--bad); }
.state-leaving { background: var(--leaving-bg); color: var(--leaving); }
.banner { margin: 0 0 12px; padding: 10px 14px; border-radius: 8px; border: 1px solid var(--warn); background: var(--warn-bg); color: var(--fg); }
.banner.bad { border-color: var(--bad); background: var(--bad-bg); }
.banner ul { margin: 4px 0 0; padding-left: 20px; }
.auth { display: flex; flex-wrap: wrap; gap: 8px 10px; align-items: center; margin: 0 0 12px; padding: 10px 14px;
  border-radius: 8px; border: 1px solid var(--info); background: var(--info-bg); }
.auth input { font: 12px ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; color: var(--fg); background: var(--card);
  border: 1px solid var(--border); border-radius: 6px; padding: 4px 8px; min-width: 280px; }
.auth[hidden] { display: none; }
.auth.bad { border-color: var(--bad); background: var(--bad-bg); }
.tiles { display: grid; grid-template-columns: repeat(auto-fit, minmax(150px, 1fr)); gap: 10px; margin-bottom: 12px; }
.tile { background: var(--card); border: 1px solid var(--border); border-left: 4px solid var(--border); border-radius: 8px; padding: 8px 12px; }
.tile .value { font-size: 24px; font-weight: 650; font-variant-numeric: tabular-nums; }
.tile .label { color: var(--muted); font-size: 12.5px; }
.tile.ok { border-left-color: var(--ok); } .tile.warn { border-left-color: var(--warn); } .tile.bad { border-left-color: var(--bad); }
.tile.warn .value { color: var(--warn); } .tile.bad .value { color: var(--bad); }
.grid { display: grid; grid-template-columns: repeat(auto-fill, minmax(420px, 1fr)); gap: 12px; }
.card { background: var(--card); border: 1px solid var(--border); border-radius: 8px; padding: 10px 14px 8px; min-width: 0; }
.card.wide { margin-top: 12px; }
.card h2 { font-size: 14px; font-weight: 650; margin: 0 0 6px; display: flex; gap: 8px; align-items: center; flex-wrap: wrap; }
.plot { height: 170px; position: relative; cursor: crosshair; }
.plot svg { display: block; width: 100%; height: 100%; overflow: visible; }
.plot text { fill: var(--muted); font-size: 11px; font-variant-numeric: tabular-nums; }
.plot .gridline { stroke: var(--grid); stroke-width: 1; }
.plot .axis { stroke: var(--border); }
.plot .cursor { stroke: var(--muted); stroke-dasharray: 3 3; }
.plot .empty { font-size: 13px; }
.plot path { fill: none; stroke-width: 2; stroke-linejoin: round; stroke-linecap: round; }
.legend { display: flex; flex-wrap: wrap; gap: 2px 12px; font-size: 12.5px; margin-top: 4px; min-height: 18px; }
.legend button { all: unset; cursor: pointer; display: inline-flex; gap: 5px; align-items: center; font-variant-numeric: tabular-nums; }
.legend button.off { opacity: .45; text-decoration: line-through; }
.legend i { display: inline-block; width: 12px; height: 3px; border-radius: 2px; }
.legend b { font-weight: 600; }
.note { margin: 4px 0 0; color: var(--muted); font-size: 12.5px; min-height: 17px; }
.scroll { overflow-x: auto; }
table { width: 100%; border-collapse: collapse; font-variant-numeric: tabular-nums; }
th, td { text-align: left; padding: 5px 10px 5px 0; border-bottom: 1px solid var(--grid); white-space: nowrap; }
th { color: var(--muted); font-weight: 600; font-size: 12.5px; }
td.num, th.num { text-align: right; }
tr.self td { background: var(--info-bg); }
.badge { font-size: 11.5px; padding: 1px 7px; border-radius: 999px; background: var(--info-bg); color: var(--info); margin-left: 6px; font-weight: 600; }
.err { color: var(--bad); }
a { color: var(--info); }
footer { padding: 10px 20px 18px; font-size: 12.5px; }

"""#
}
