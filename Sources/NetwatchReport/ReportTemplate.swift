/// The report's page. `{{x}}` escapes; `{{{svg}}}` only ever holds a chart NetwatchCharts drew.
enum ReportTemplate {
    static let html = #"""
<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; img-src data:">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>netwatch report: {{source}}, {{since}} to {{until}}</title>
<style>
{{{css}}}</style>
</head>
<body>
<header>
<h1>netwatch report</h1>
<p class="meta">{{source}} · {{since}} to {{until}} ({{zone}})</p>
<nav><ol>{{#toc}}<li><a href="#{{id}}">{{title}}</a></li>{{/toc}}</ol></nav>
{{#notes}}<p class="note">{{text}}</p>{{/notes}}
</header>
{{#sections}}
<section id="{{id}}">
<h2>{{title}}</h2>
{{#is_summary}}{{#summary}}
<dl class="summary">
<dt>From</dt><dd>{{since}}</dd><dt>To</dt><dd>{{until}}</dd>
<dt>Packets</dt><dd>{{packets}}</dd><dt>Bytes</dt><dd>{{bytes}}</dd>
<dt>Connections</dt><dd>{{flows}}</dd><dt>Hosts seen</dt><dd>{{hosts}}</dd>
<dt>Alerts</dt><dd>{{#alerts}}<span class="sev sev-{{level}}">{{name}} {{count}}</span> {{/alerts}}</dd><dt>Alerts, summaries and clearings</dt><dd>{{alerts_total}}</dd>
<dt>Capture drops</dt><dd>{{dropped}}</dd>{{#malformed}}<dt>Malformed packets</dt><dd>{{malformed}}</dd>{{/malformed}}
<dt>Interfaces or files</dt><dd>{{interfaces}}</dd><dt>Runs</dt><dd>{{runs}}</dd>{{#sensors}}<dt>Sensors</dt><dd>{{sensors}}</dd>{{/sensors}}
</dl>
{{/summary}}{{/is_summary}}
{{#charts}}<figure>{{{svg}}}</figure>{{/charts}}
{{#is_traffic}}{{^charts}}<p class="empty">No traffic recorded in this range.</p>{{/charts}}{{/is_traffic}}
{{#is_protocols}}
{{#has_shares}}<table><thead><tr><th>Protocol</th><th class="n">Packets</th><th class="n">Bytes</th></tr></thead><tbody>
{{#shares}}<tr><td>{{name}}</td><td class="n">{{packets}}</td><td class="n">{{bytes}}</td></tr>{{/shares}}
</tbody></table>{{/has_shares}}
<h3>Services (by Zeek's service field, or "-")</h3>
{{#has_rows}}<table><thead><tr><th class="n">#</th><th>Service</th><th class="n">Bytes</th><th class="n">Packets</th><th class="n">Connections</th></tr></thead><tbody>
{{#rows}}<tr><td class="n">{{rank}}</td><td>{{key}}</td><td class="n">{{bytes}}</td><td class="n">{{packets}}</td><td class="n">{{flows}}</td></tr>{{/rows}}
</tbody></table>{{/has_rows}}{{^rows}}<p class="empty">No connections ended in this range.</p>{{/rows}}
{{/is_protocols}}
{{#is_talkers}}
{{#has_hosts}}<table><thead><tr><th class="n">#</th><th>Host</th>{{#names_known}}<th>Name</th>{{/names_known}}{{#geo_known}}<th>Country</th><th>Network</th>{{/geo_known}}<th class="n">Sent</th><th class="n">Received</th><th class="n">Packets</th><th class="n">Connections</th></tr></thead><tbody>
{{#hosts}}<tr><td class="n">{{rank}}</td><td><code>{{ip}}</code></td>{{#names_known}}<td>{{name}}</td>{{/names_known}}{{#geo_known}}<td>{{country}}</td><td>{{asn}}</td>{{/geo_known}}<td class="n">{{sent}}</td><td class="n">{{received}}</td><td class="n">{{packets}}</td><td class="n">{{flows}}</td></tr>{{/hosts}}
</tbody></table>{{/has_hosts}}{{^hosts}}<p class="empty">No connections ended in this range.</p>{{/hosts}}
{{/is_talkers}}
{{#is_ports}}
<h3>Ports (responder side)</h3>
{{#has_rows}}<table><thead><tr><th class="n">#</th><th>Port</th><th class="n">Bytes</th><th class="n">Packets</th><th class="n">Connections</th></tr></thead><tbody>
{{#rows}}<tr><td class="n">{{rank}}</td><td>{{key}}</td><td class="n">{{bytes}}</td><td class="n">{{packets}}</td><td class="n">{{flows}}</td></tr>{{/rows}}
</tbody></table>{{/has_rows}}{{^rows}}<p class="empty">No connections ended in this range.</p>{{/rows}}
<h3>Conversations (originator &lt;-&gt; responder)</h3>
{{#has_conversations}}<table><thead><tr><th class="n">#</th><th>Conversation</th><th class="n">Bytes</th><th class="n">Packets</th><th class="n">Connections</th></tr></thead><tbody>
{{#conversations}}<tr><td class="n">{{rank}}</td><td>{{key}}</td><td class="n">{{bytes}}</td><td class="n">{{packets}}</td><td class="n">{{flows}}</td></tr>{{/conversations}}
</tbody></table>{{/has_conversations}}
{{/is_ports}}
{{#is_outcomes}}
{{#has_states}}<table><thead><tr><th>conn_state</th><th>Outcome</th><th class="n">Connections</th></tr></thead><tbody>
{{#states}}<tr><td><code>{{state}}</code></td><td>{{outcome}}</td><td class="n">{{flows}}</td></tr>{{/states}}
</tbody></table>{{/has_states}}{{^states}}<p class="empty">No connections ended in this range.</p>{{/states}}
{{/is_outcomes}}
{{#is_alerts}}
{{#has_alerts}}<table class="wide"><thead><tr><th class="n">#</th><th>Time</th><th>Signature</th><th>Source → destination</th><th>Details</th><th>Flows</th></tr></thead><tbody>
{{#alerts}}<tr id="alert-{{id}}"><td class="n">{{id}}</td><td class="t">{{time}}</td><td>{{signature}} <span class="sev sev-{{severity}}">{{severity}}</span> <small>{{event}}</small></td><td><code>{{src}}</code> →<br><code>{{dest}}</code></td><td>{{reason}}</td><td>{{#flows}}<a href="#flow-{{uid}}"><code>{{uid}}</code></a> {{/flows}}</td></tr>{{/alerts}}
</tbody></table>{{/has_alerts}}{{^alerts}}<p class="empty">No alerts in this range.</p>{{/alerts}}
{{#more}}<p class="note">{{more}}</p>{{/more}}
{{#has_flows}}<h3>Flows the alerts concern</h3>
<table class="wide"><thead><tr><th>uid</th><th>Start</th><th class="n">Duration</th><th>Originator → responder</th><th>Proto / service</th><th>State</th><th class="n">Bytes orig / resp</th><th class="n">Packets</th></tr></thead><tbody>
{{#flows}}<tr id="flow-{{uid}}"><td><code>{{uid}}</code></td><td class="t">{{ts}}</td><td class="n">{{duration}} s</td><td><code>{{orig}}</code> →<br><code>{{resp}}</code></td><td>{{proto}} / {{service}}</td><td><code>{{state}}</code></td><td class="n">{{bytes}}</td><td class="n">{{packets}}</td></tr>{{/flows}}
</tbody></table>{{/has_flows}}
{{/is_alerts}}
{{#is_processes}}
{{#has_rows}}<table><thead><tr><th class="n">#</th><th>Process</th><th class="n">Bytes</th><th class="n">Packets</th><th class="n">Connections</th></tr></thead><tbody>
{{#rows}}<tr><td class="n">{{rank}}</td><td>{{key}}</td><td class="n">{{bytes}}</td><td class="n">{{packets}}</td><td class="n">{{flows}}</td></tr>{{/rows}}
</tbody></table>{{/has_rows}}{{^rows}}<p class="empty">No process owners recorded (they are known when netwatch captures live on the host).</p>{{/rows}}
{{/is_processes}}
{{#is_geography}}
{{#has_rows}}<table><thead><tr><th class="n">#</th><th>Country</th><th class="n">Bytes</th><th class="n">Packets</th><th class="n">Connections</th></tr></thead><tbody>
{{#rows}}<tr><td class="n">{{rank}}</td><td>{{key}}</td><td class="n">{{bytes}}</td><td class="n">{{packets}}</td><td class="n">{{flows}}</td></tr>{{/rows}}
</tbody></table>{{/has_rows}}
{{#has_networks}}<table><thead><tr><th class="n">#</th><th>Network</th><th class="n">Bytes</th><th class="n">Packets</th><th class="n">Connections</th></tr></thead><tbody>
{{#networks}}<tr><td class="n">{{rank}}</td><td>{{key}}</td><td class="n">{{bytes}}</td><td class="n">{{packets}}</td><td class="n">{{flows}}</td></tr>{{/networks}}
</tbody></table>{{/has_networks}}
{{^rows}}<p class="empty">No GeoIP answers (give --geo-path or --mmdb, or record with them).</p>{{/rows}}
{{/is_geography}}
{{#is_newhosts}}
{{#has_hosts}}<table><thead><tr><th>Host</th>{{#names_known}}<th>Name</th>{{/names_known}}<th>First seen</th><th class="n">Bytes</th><th class="n">Connections</th></tr></thead><tbody>
{{#hosts}}<tr><td><code>{{ip}}</code></td>{{#names_known}}<td>{{name}}</td>{{/names_known}}<td class="t">{{first_seen}}</td><td class="n">{{bytes}}</td><td class="n">{{flows}}</td></tr>{{/hosts}}
</tbody></table>{{/has_hosts}}{{^hosts}}<p class="empty">No remote host was first seen in this range.</p>{{/hosts}}
{{/is_newhosts}}
</section>
{{/sections}}
<footer><p class="meta">Made by netwatch. Times in {{zone}}.</p></footer>
</body>
</html>
"""#
}
