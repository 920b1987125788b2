import NetwatchReport

/// The dashboard's own style and script, served as files (the Content-Security-Policy allows
/// no inline script): the report's CSS plus the dashboard's frame, and a script that only
/// swaps in the fragment the event stream sends.
enum WebAssets {
    static let css = ReportStyle.css + #"""
body.dash { max-width: 1100px; margin: 0 auto; }
header.bar { display: flex; gap: 16px; align-items: baseline; flex-wrap: wrap; border-bottom: 2px solid #0072B2; padding: 10px 0 6px; margin-bottom: 12px; }
header.bar .brand { font-weight: bold; font-size: 18px; color: #222; text-decoration: none; }
header.bar nav a { margin-right: 12px; text-decoration: none; }
header.bar nav a[aria-current] { font-weight: bold; text-decoration: underline; }
header.bar .src { color: #555; margin-left: auto; font-size: 13px; }
dl.cards { display: grid; grid-template-columns: repeat(auto-fill, minmax(150px, 1fr)); gap: 8px; margin: 8px 0 16px; }
dl.cards .card { border: 1px solid #ddd; border-radius: 4px; padding: 6px 10px; }
dl.cards dt { color: #555; font-size: 12px; }
dl.cards dd { margin: 2px 0 0; font-size: 20px; font-weight: bold; font-variant-numeric: tabular-nums; }
.cols { display: grid; grid-template-columns: 1fr 1fr; gap: 24px; }
@media (max-width: 800px) { .cols { grid-template-columns: 1fr; } }
form.search { display: flex; flex-wrap: wrap; gap: 8px 14px; align-items: center; margin: 8px 0 12px; font-size: 13px; }
form.search input, form.search select { font: inherit; }
p.error { color: #B00020; font-weight: bold; }
p.pager a { margin-right: 16px; }
table.fields th { width: 180px; }
svg { max-width: 100%; height: auto; }
"""#

    static let script = #"""
// netwatch dashboard: the page is whole without this script; with it, the overview's live
// part is replaced by the fragment the server sends once a second over Server-Sent Events.
(function () {
  "use strict";
  var live = document.getElementById("live");
  if (!live || !window.EventSource) { return; }
  var url = live.getAttribute("data-stream");
  if (!url || url.charAt(0) !== "/") { return; }
  var source = new EventSource(url);
  source.addEventListener("fragment", function (e) {
    // The server rendered this HTML from templates that escape every string from the network.
    live.innerHTML = e.data;
    live.setAttribute("data-updated", String(Date.now()));
  });
  source.addEventListener("error", function () { live.setAttribute("data-stream-error", String(Date.now())); });
})();
"""#
}
