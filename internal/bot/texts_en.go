package bot

// en is the bot's English. The other catalogs follow it field by field.
var en = catalog{
	Refused:          "Sorry, this bot only answers the people it was set up for. Your Telegram user id is <code>%d</code>: an admin can add it to <code>telegram.allowed_users</code>.",
	SlowDown:         "Slow down, please: at most %d commands a minute.",
	Start:            "Hello, I am Herald, the alerting bot.\nThis chat's id: <code>%d</code>\nIt receives: %s\n\n/help lists what I can do.",
	ReceivesNothing:  "nothing yet (try /subscribe)",
	ReceivesChannels: "the channels %s",
	ReceivesSubs:     "%d subscription(s), see /subscriptions",
	Help: `<b>Alerts</b>
/alerts [matchers] – what is firing for this chat
/subscribe &lt;matchers or regexp&gt; – receive matching alerts
  <code>/subscribe severity="critical", job=~"node.*"</code>
  <code>/subscribe Disk.*</code> (a regexp on the alert name; also /regexp)
/subscriptions – this chat's subscriptions (/list)
/unsubscribe &lt;n|all&gt;

<b>Silences</b> (Alertmanager)
/silence &lt;matchers&gt; &lt;duration&gt; [comment]
  <code>/silence alertname="DiskFull", instance="db1" 2h disk swap</code>
/silences – active silences
/unsilence &lt;id&gt;

<b>Charts</b>
/graph &lt;promql&gt; [range] – <code>/graph rate(node_network_receive_bytes_total[5m]) 6h</code>
/chart &lt;name&gt; [hour|day|week] – a saved chart; /hour, /day, /week for all
/dashboards [search] – Grafana panels as images
/containers [hour|day|week] – Docker containers: summary; <code>/containers chart cpu day</code>

/lang en|ru|uk|zh|auto – the bot's language in this chat`,
	Unknown:    "I do not know that command. /help lists the ones I know.",
	Usage:      "%s\nExample: <code>%s</code>",
	AdminsOnly: "Only the bot's admins can do that here.",
	Failed:     "That did not work: %s",

	Subscribed:      "Subscribed (#%d): <code>%s</code>",
	SubDuplicate:    "This chat already has that subscription.",
	Unsubscribed:    "Removed subscription #%d.",
	UnsubscribedAll: "Removed %d subscription(s).",
	NoSub:           "There is no subscription #%d: /subscriptions lists them.",
	NoSubs:          "This chat has no subscriptions. Example: <code>/subscribe severity=\"critical\"</code>",
	SubsHeader:      "<b>Subscriptions of this chat</b>",

	AlertsNone:    "Nothing is firing for this chat.",
	AlertsHeader:  "<b>Firing: %d</b> (page %d of %d)",
	AlertsFromAM:  "from Alertmanager",
	AlertsFromDB:  "from Herald's store (alertmanager.url is not set)",
	NoAM:          "Silences need Alertmanager: set <code>alertmanager.url</code> in Herald's configuration.",
	Silenced:      "🔕 Silenced until %s\nid <code>%s</code>",
	SilencesNone:  "No active silences.",
	SilencesHead:  "<b>Active silences: %d</b>",
	Unsilenced:    "Silence <code>%s</code> expired.",
	NoSilence:     "There is no active silence <code>%s</code>.",
	AmbiguousID:   "<code>%s</code> matches several silences: give more of the id.",
	NoProm:        "Charts need Prometheus: set <code>prometheus.url</code> in Herald's configuration.",
	ChartFailed:   "No chart: %s",
	NoCharts:      "No saved charts: add them under <code>charts:</code> in Herald's configuration.",
	UnknownChart:  "There is no chart %s. Saved charts: %s",
	NoGrafana:     "Dashboards need Grafana: set <code>grafana.url</code> in Herald's configuration.",
	Dashboards:    "<b>Dashboards</b>",
	NoDashboards:  "No dashboard matches.",
	Panels:        "<b>%s</b>: choose a panel",
	NoPanels:      "This dashboard has no panels.",
	NoRenderer:    "Grafana cannot render images: it needs its image renderer service (Grafana 13 and later only work with the standalone grafana-image-renderer).",
	RenderTimeout: "Grafana did not render the panel in time.",
	Rendering:     "Rendering…",

	ButtonSilence:  "🔕 %s",
	ButtonAck:      "✅ Ack",
	ButtonUndo:     "↩️ Undo",
	ButtonSilenced: "🔕 %s until %s",
	ButtonAcked:    "✅ %s",
	ButtonRange:    "📈 %s",
	ButtonRefresh:  "🔄 Refresh",
	ButtonPrev:     "◀️",
	ButtonNext:     "▶️",
	ButtonExpired:  "This button has expired.",
	ButtonBad:      "This button is not valid.",
	AnsSilenced:    "Silenced until %s",
	AnsUndone:      "Silence removed",
	AnsAcked:       "Acknowledged",
	AnsAlreadyAck:  "Already acknowledged by %s",
	AnsNoAlert:     "The alert behind this button is gone.",

	NoCollectors:    "No Docker hosts are collected: add them under <code>collectors.docker.hosts</code> in Herald's configuration.",
	ContainersUsage: "Usage: <code>/containers [hour|day|week]</code> for the summary, <code>/containers chart cpu|memory|traffic [hour|day|week] [host]</code> for a chart.",
	ButtonCPU:       "📈 CPU",
	ButtonMemory:    "📈 Memory",
	ButtonTraffic:   "📈 Traffic",

	LangSet: "I will speak English in this chat.",
	LangBad: "Languages: %s, or auto (each user's Telegram language).",
	Commands: map[string]string{
		"alerts":        "What is firing for this chat",
		"subscribe":     "Receive alerts that match",
		"subscriptions": "This chat's subscriptions",
		"unsubscribe":   "Remove a subscription",
		"silence":       "Silence alerts in Alertmanager",
		"silences":      "Active silences",
		"unsilence":     "Expire a silence",
		"graph":         "Chart a PromQL expression",
		"chart":         "A saved chart",
		"hour":          "Saved charts, last hour",
		"day":           "Saved charts, last day",
		"week":          "Saved charts, last week",
		"dashboards":    "Grafana panels as images",
		"containers":    "Docker containers: summary and charts",
		"lang":          "The bot's language here",
		"help":          "What the bot can do",
		"start":         "Hello and this chat's id",
	},
}
