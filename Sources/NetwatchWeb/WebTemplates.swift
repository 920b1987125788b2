/// The dashboard's pages. `{{x}}` escapes (HTML and attributes); `{{{x}}}` only ever holds a
/// chart NetwatchCharts drew or a fragment these templates rendered.
enum WebTemplates {
    static let layout = #"""
<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{{title}} · netwatch</title>
<link rel="icon" href="data:,">
<link rel="stylesheet" href="/static/netwatch.css">
<script src="/static/netwatch.js" defer></script>
</head>
<body class="dash">
<header class="bar"><a class="brand" href="/">netwatch</a>
<nav>{{#nav}}<a href="{{href}}"{{#current}} aria-current="page"{{/current}}>{{name}}</a>{{/nav}}</nav>
<span class="src">{{source}}</span></header>
<main>
{{{body}}}
</main>
</body>
</html>
"""#

    static let overview = #"""
<h1>Overview</h1>
<div id="live" data-stream="/api/v1/stream/overview">{{{fragment}}}</div>
"""#

    static let overviewFragment = #"""
<p class="meta">As of {{now}}{{#ended}} (the run has ended){{/ended}}</p>
<dl class="cards">{{#cards}}<div class="card"><dt>{{name}}</dt><dd id="card-{{key}}">{{value}}</dd></div>{{/cards}}</dl>
<h2>Last five minutes</h2>
{{{livePackets}}}
{{{liveBytes}}}
<h2>Latest alerts</h2>
{{#hasAlerts}}<table><thead><tr><th>time</th><th>severity</th><th>signature</th><th>source</th><th>destination</th></tr></thead><tbody>
{{#alerts}}<tr><td class="t"><a href="/alerts/{{id}}">{{time}}</a></td><td><span class="sev sev-{{severityName}}">{{severityName}}</span></td><td>{{signature}}</td><td>{{#src}}<a href="/hosts/{{src}}">{{src}}</a>{{/src}}</td><td>{{#dst}}<a href="/hosts/{{dst}}">{{dst}}</a>{{/dst}}</td></tr>
{{/alerts}}</tbody></table>{{/hasAlerts}}
{{^hasAlerts}}<p class="meta">No alerts.</p>{{/hasAlerts}}
<h2>Last {{hours}} hours</h2>
{{#fleet}}<h3>Sensors</h3>
{{{sensors}}}{{/fleet}}
{{{hourPackets}}}
<div class="cols">
<div><h3>Top talkers</h3>{{{topHosts}}}</div>
<div><h3>Top ports</h3>{{{topPorts}}}</div>
</div>
{{{protocols}}}
"""#

    static let sensorTable = #"""
<table><thead><tr><th>sensor</th><th class="n">runs</th><th class="n">flows</th><th class="n">packets</th><th class="n">bytes</th><th class="n">alerts</th><th>last seen</th></tr></thead><tbody>
{{#rows}}<tr><td><a href="/flows?sensor={{href}}">{{sensor}}</a></td><td class="n">{{runs}}</td><td class="n">{{flows}}</td><td class="n">{{packets}}</td><td class="n">{{bytes}}</td><td class="n"><a href="/alerts?sensor={{href}}">{{alerts}}</a></td><td class="t">{{last}}</td></tr>
{{/rows}}{{^rows}}<tr><td colspan="7" class="meta">{{empty}}</td></tr>{{/rows}}</tbody></table>
"""#

    static let topTable = #"""
<table><thead><tr><th>{{keyName}}</th><th class="n">bytes</th><th class="n">packets</th><th class="n">flows</th></tr></thead><tbody>
{{#rows}}<tr><td>{{#href}}<a href="{{href}}">{{key}}</a>{{/href}}{{^href}}{{key}}{{/href}}{{#name}} <span class="meta">{{name}}</span>{{/name}}</td><td class="n">{{bytes}}</td><td class="n">{{packets}}</td><td class="n">{{flows}}</td></tr>
{{/rows}}{{^rows}}<tr><td colspan="4" class="meta">nothing recorded</td></tr>{{/rows}}</tbody></table>
"""#

    static let flowTable = #"""
<table class="flows"><thead><tr>{{#fleet}}<th>sensor</th>{{/fleet}}<th>start</th><th>proto</th><th>originator</th><th>responder</th><th>service</th><th>state</th><th class="n">pkts</th><th class="n">bytes</th><th>process</th><th>uid</th></tr></thead><tbody>
{{#flows}}<tr>{{#fleet}}<td>{{sensor}}</td>{{/fleet}}<td class="t">{{time}}</td><td>{{proto}}</td><td><a href="/hosts/{{origH}}">{{origH}}</a>:{{origP}}</td><td><a href="/hosts/{{respH}}">{{respH}}</a>:{{respP}}</td><td>{{service}}</td><td>{{state}}</td><td class="n">{{packets}}</td><td class="n">{{bytes}}</td><td>{{process}}</td><td><a href="/flows/{{uid}}"><code>{{uid}}</code></a></td></tr>
{{/flows}}{{^flows}}<tr><td colspan="{{columns}}" class="meta">{{empty}}</td></tr>{{/flows}}</tbody></table>
"""#

    static let flows = #"""
<h1>Flows</h1>
<form class="search" method="get" action="/flows">
<label>since <input name="since" value="{{q.since}}" placeholder="1h or epoch s" size="10"></label>
<label>until <input name="until" value="{{q.until}}" size="10"></label>
<label>host <input name="host" value="{{q.host}}" size="16"></label>
<label>port <input name="port" value="{{q.port}}" size="5"></label>
<label>proto <select name="proto">{{#protos}}<option value="{{value}}"{{#selected}} selected{{/selected}}>{{label}}</option>{{/protos}}</select></label>
<label>state <input name="state" value="{{q.state}}" size="6"></label>
<label>process <input name="process" value="{{q.process}}" size="10"></label>
<label>community_id <input name="community_id" value="{{q.community_id}}" size="22"></label>
{{#fleet}}<label>sensor <select name="sensor">{{#sensorOptions}}<option value="{{value}}"{{#selected}} selected{{/selected}}>{{label}}</option>{{/sensorOptions}}</select></label>
{{/fleet}}<button type="submit">Search</button>
</form>
{{#error}}<p class="error">{{error}}</p>{{/error}}
{{#showLive}}<h2>Open now ({{liveCount}})</h2>
<p class="meta">As each connection was when it opened (the flow table is the packet thread's own); it is recorded with its totals when it ends.</p>
{{{liveTable}}}{{/showLive}}
<h2>Recorded</h2>
{{{table}}}
<p class="pager">{{#prev}}<a href="{{prev}}">← newer</a>{{/prev}} {{#next}}<a href="{{next}}">older →</a>{{/next}}</p>
"""#

    static let fields = #"""
<table class="fields"><tbody>{{#fields}}<tr><th>{{name}}</th><td>{{#href}}<a href="{{href}}">{{value}}</a>{{/href}}{{^href}}{{value}}{{/href}}</td></tr>
{{/fields}}</tbody></table>
"""#

    static let flow = #"""
<h1>Flow <code>{{uid}}</code>{{#open}} <span class="meta">(open)</span>{{/open}}</h1>
<p class="meta">The conn record, with Zeek's conn.log field names. <a href="/api/v1/flows/{{uid}}">JSON</a></p>
{{{fields}}}
{{#hasAlerts}}<h2>Alerts about it</h2>{{{alertTable}}}{{/hasAlerts}}
"""#

    static let alertTable = #"""
<table><thead><tr>{{#fleet}}<th>sensor</th>{{/fleet}}<th>time</th><th>severity</th><th>signature</th><th>source</th><th>destination</th><th>reason</th></tr></thead><tbody>
{{#alerts}}<tr>{{#fleet}}<td>{{sensor}}</td>{{/fleet}}<td class="t"><a href="/alerts/{{id}}">{{time}}</a></td><td><span class="sev sev-{{severityName}}">{{severityName}}</span></td><td>{{signature}}{{#summary}} <span class="meta">({{event}})</span>{{/summary}}</td><td>{{#src}}<a href="/hosts/{{src}}">{{src}}</a>{{/src}}</td><td>{{#dst}}<a href="/hosts/{{dst}}">{{dst}}</a>{{/dst}}</td><td>{{reason}}</td></tr>
{{/alerts}}{{^alerts}}<tr><td colspan="{{columns}}" class="meta">{{empty}}</td></tr>{{/alerts}}</tbody></table>
"""#

    static let alerts = #"""
<h1>Alerts</h1>
<form class="search" method="get" action="/alerts">
<label>since <input name="since" value="{{q.since}}" size="10"></label>
<label>until <input name="until" value="{{q.until}}" size="10"></label>
<label>signature <select name="signature">{{#signatures}}<option value="{{value}}"{{#selected}} selected{{/selected}}>{{label}}</option>{{/signatures}}</select></label>
<label>host <input name="host" value="{{q.host}}" size="16"></label>
{{#fleet}}<label>sensor <select name="sensor">{{#sensorOptions}}<option value="{{value}}"{{#selected}} selected{{/selected}}>{{label}}</option>{{/sensorOptions}}</select></label>
{{/fleet}}<button type="submit">Search</button>
</form>
{{#error}}<p class="error">{{error}}</p>{{/error}}
{{{timeline}}}
{{{table}}}
<p class="pager">{{#prev}}<a href="{{prev}}">← newer</a>{{/prev}} {{#next}}<a href="{{next}}">older →</a>{{/next}}</p>
"""#

    static let alert = #"""
<h1>{{signature}}</h1>
<p class="meta"><span class="sev sev-{{severityName}}">{{severityName}}</span> {{time}} · {{event}} · <a href="/api/v1/alerts/{{id}}">JSON</a></p>
<p>{{reason}}</p>
{{{fields}}}
<h2>Flows it concerns</h2>
{{{flows}}}
<h2>Activity around it</h2>
<p class="meta">Bytes per minute of the source and the destination, half an hour either side.</p>
{{{activity}}}
"""#

    static let host = #"""
<h1>{{ip}}</h1>
<p class="meta">{{#ptr}}reverse DNS {{ptr}} · {{/ptr}}{{#names}}DNS answers named it {{.}} {{/names}}{{^names}}no name seen in DNS answers{{/names}}{{#country}} · country {{country}}{{/country}}{{#asn}} · AS{{asn}}{{/asn}}{{#org}} {{org}}{{/org}} · <a href="/api/v1/hosts/{{ip}}">JSON</a></p>
<dl class="cards">{{#cards}}<div class="card"><dt>{{name}}</dt><dd>{{value}}</dd></div>{{/cards}}</dl>
{{#fleet}}<h2>Seen by</h2>
{{{sensors}}}{{/fleet}}
<h2>Activity, last {{hours}} hours</h2>
{{{strip}}}
<div class="cols">
<div><h3>Ports</h3>{{{ports}}}</div>
<div><h3>Peers</h3>{{{peers}}}</div>
</div>
<h2>Alerts</h2>
{{{alerts}}}
<h2>Latest flows</h2>
{{{flows}}}
<p><a href="/flows?host={{ip}}">All its flows</a></p>
"""#

    static let hosts = #"""
<h1>Hosts</h1>
<form class="search" method="get" action="/hosts"><label>address <input name="ip" size="28"></label> <button type="submit">Show</button></form>
{{#error}}<p class="error">{{error}}</p>{{/error}}
<h2>Busiest, last {{hours}} hours</h2>
{{{talkers}}}
{{{table}}}
"""#

    static let processes = #"""
<h1>Processes</h1>
{{#live}}<h2>This run</h2>
<table><thead><tr><th>process</th><th class="n">open</th><th class="n">ended flows</th><th class="n">packets</th><th class="n">bytes</th><th></th></tr></thead><tbody>
{{#rows}}<tr><td>{{name}}</td><td class="n">{{open}}</td><td class="n">{{flows}}</td><td class="n">{{packets}}</td><td class="n">{{bytes}}</td><td><a href="/flows?process={{name}}">flows</a></td></tr>
{{/rows}}{{^rows}}<tr><td colspan="6" class="meta">No flow owned by a local process yet (processes are known live on this host).</td></tr>{{/rows}}</tbody></table>{{/live}}
<h2>Recorded, last {{hours}} hours</h2>
{{{table}}}
"""#

    static let problem = #"""
<h1>{{title}}</h1>
<p class="error">{{message}}</p>
"""#
}
