/// The report's CSS: the report inlines it, the web dashboard serves it as a file (one look,
/// one place to change it).
public enum ReportStyle {
    public static let css = #"""
:root { color-scheme: light; }
body { font-family: "DejaVu Sans", Verdana, sans-serif; color: #222; margin: 24px auto; max-width: 920px; padding: 0 16px; font-size: 14px; }
h1 { font-size: 22px; margin: 0 0 4px; }
h2 { font-size: 18px; border-bottom: 2px solid #0072B2; padding-bottom: 4px; margin-top: 32px; }
h3 { font-size: 15px; margin: 16px 0 6px; }
.meta { color: #555; margin: 0 0 8px; }
nav ol { columns: 2; margin: 8px 0 0; padding-left: 20px; }
a { color: #0072B2; }
table { border-collapse: collapse; width: 100%; margin: 8px 0 12px; font-size: 13px; }
th, td { text-align: left; padding: 3px 8px; border-bottom: 1px solid #ddd; vertical-align: top; overflow-wrap: break-word; }
td code { white-space: nowrap; }
td.t { white-space: nowrap; }
th { background: #f2f2f2; }
td.n, th.n { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
dl.summary { display: grid; grid-template-columns: max-content 1fr; gap: 4px 24px; }
dl.summary dt { color: #555; }
dl.summary dd { margin: 0; font-weight: bold; }
.sev { display: inline-block; padding: 0 6px; border-radius: 3px; color: #fff; font-size: 12px; }
.sev-high { background: #D55E00; } .sev-medium { background: #B07A00; } .sev-low { background: #2F7FB0; }
figure { margin: 12px 0; }
svg.chart { max-width: 100%; height: auto; display: block; }
.empty, .note { color: #666; font-style: italic; }
code { font-size: 12px; }
table.wide { font-size: 12px; }
table.wide td { padding: 3px 5px; }
@media print {
  body { margin: 0; max-width: none; font-size: 11pt; }
  nav { display: none; }
  section { break-before: page; }
  section:first-of-type { break-before: auto; }
  figure, svg.chart, tr, dl.summary { break-inside: avoid; }
  thead { display: table-header-group; }
  h2, h3 { break-after: avoid; }
  a { color: inherit; text-decoration: none; }
}
"""#
}
