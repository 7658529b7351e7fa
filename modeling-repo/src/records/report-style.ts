/** The report's stylesheet, inlined into the page (the report loads nothing from outside). */
export const REPORT_STYLE = `
:root { color-scheme: light; --fg: #1d2433; --muted: #5f6b7a; --line: #d9dee5; --accent: #0072B2; }
* { box-sizing: border-box; }
body { font: 14px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; color: var(--fg); margin: 0 auto; padding: 24px; max-width: 1000px; }
header { display: flex; flex-wrap: wrap; align-items: baseline; gap: 12px; }
header p { flex-basis: 100%; margin: 0; }
h1 { font-size: 22px; margin: 0; }
h2 { font-size: 16px; margin: 28px 0 10px; }
.muted { color: var(--muted); }
.status { padding: 2px 10px; border-radius: 10px; font-weight: 600; font-size: 12px; text-transform: uppercase; background: #eef1f5; }
.status.completed { background: #d8f3e4; color: #0b6b3a; }
.status.failed { background: #fbdcdc; color: #9b1c1c; }
.status.running { background: #dcecfb; color: #0b4f8a; }
.cards { display: grid; grid-template-columns: repeat(auto-fill, minmax(150px, 1fr)); gap: 10px; margin-top: 18px; }
.card { border: 1px solid var(--line); border-radius: 8px; padding: 10px 12px; }
.card .value { font-size: 20px; font-weight: 600; }
.card .label { color: var(--muted); font-size: 12px; }
.plots { display: grid; grid-template-columns: repeat(auto-fill, minmax(460px, 1fr)); gap: 12px; margin-top: 18px; }
figure { margin: 0; border: 1px solid var(--line); border-radius: 8px; padding: 4px; }
svg { max-width: 100%; height: auto; display: block; }
svg text { font-size: 11px; fill: var(--fg); }
svg .title { font-size: 13px; font-weight: 600; text-anchor: middle; }
svg .ytick { text-anchor: end; dominant-baseline: middle; fill: var(--muted); }
svg .xtick, svg .xlabel { text-anchor: middle; fill: var(--muted); }
svg .empty { text-anchor: middle; fill: var(--muted); }
svg .grid { stroke: #eceff3; }
svg .axis { stroke: #9aa4b1; }
table { border-collapse: collapse; width: 100%; }
th, td { border-bottom: 1px solid var(--line); padding: 4px 8px; text-align: left; }
th { font-weight: 600; background: #f6f8fa; }
td.num, th:not(:first-child) { text-align: right; font-variant-numeric: tabular-nums; }
td.f2 { position: relative; min-width: 120px; }
td.f2 .bar { position: absolute; left: 0; top: 3px; bottom: 3px; background: #cfe3f3; border-radius: 2px; }
td.f2 span:last-child { position: relative; }
table.config td:first-child { width: 34%; }
pre { background: #f6f8fa; padding: 12px; overflow-x: auto; font-size: 12px; }
code { font-size: 12px; }
.kind { display: inline-block; min-width: 80px; color: var(--muted); }
`;
