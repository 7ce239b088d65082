package bot

// zh is the bot's Simplified Chinese: 告警 alert, 静默 silence, 确认 ack,
// 仪表板 dashboard, as Chinese operations teams write them.
var zh = catalog{
	Refused:          "抱歉，此机器人只回复为其配置的用户。你的 Telegram 用户 ID 是 <code>%d</code>，管理员可将其加入 <code>telegram.allowed_users</code>。",
	SlowDown:         "请慢一点：每分钟最多 %d 条命令。",
	Start:            "你好，我是告警机器人 Herald。\n本聊天的 ID：<code>%d</code>\n接收内容：%s\n\n发送 /help 查看我能做什么。",
	ReceivesNothing:  "暂无（试试 /subscribe）",
	ReceivesChannels: "通道 %s",
	ReceivesSubs:     "%d 条订阅，见 /subscriptions",
	Help: `<b>告警</b>
/alerts [匹配器] – 本聊天正在触发的告警
/subscribe &lt;匹配器或正则&gt; – 接收匹配的告警
  <code>/subscribe severity="critical", job=~"node.*"</code>
  <code>/subscribe Disk.*</code>（按告警名称匹配正则；也可用 /regexp）
/subscriptions – 本聊天的订阅（/list）
/unsubscribe &lt;n|all&gt;

<b>静默</b>（Alertmanager）
/silence &lt;匹配器&gt; &lt;时长&gt; [备注]
  <code>/silence alertname="DiskFull", instance="db1" 2h disk swap</code>
/silences – 生效中的静默
/unsilence &lt;id&gt;

<b>图表</b>
/graph &lt;promql&gt; [时间范围] – <code>/graph rate(node_network_receive_bytes_total[5m]) 6h</code>
/chart &lt;名称&gt; [hour|day|week] – 已保存的图表；/hour、/day、/week 查看全部
/dashboards [关键词] – 以图片形式查看 Grafana 面板
/containers [hour|day|week] – Docker 容器汇总；<code>/containers chart cpu day</code>

/lang en|ru|uk|zh|auto – 本聊天中机器人使用的语言`,
	Unknown:    "我不认识这个命令。发送 /help 查看可用命令。",
	Usage:      "%s\n示例：<code>%s</code>",
	AdminsOnly: "只有机器人管理员才能在此执行该操作。",
	Failed:     "操作失败：%s",

	Subscribed:      "已订阅（#%d）：<code>%s</code>",
	SubDuplicate:    "本聊天已有相同的订阅。",
	Unsubscribed:    "已删除订阅 #%d。",
	UnsubscribedAll: "已删除 %d 条订阅。",
	NoSub:           "没有订阅 #%d，发送 /subscriptions 查看列表。",
	NoSubs:          "本聊天没有订阅。示例：<code>/subscribe severity=\"critical\"</code>",
	SubsHeader:      "<b>本聊天的订阅</b>",

	AlertsNone:    "本聊天没有正在触发的告警。",
	AlertsHeader:  "<b>触发中：%d</b>（第 %d/%d 页）",
	AlertsFromAM:  "来自 Alertmanager",
	AlertsFromDB:  "来自 Herald 的存储（未设置 alertmanager.url）",
	NoAM:          "静默需要 Alertmanager：请在 Herald 配置中设置 <code>alertmanager.url</code>。",
	Silenced:      "🔕 已静默至 %s\nID <code>%s</code>",
	SilencesNone:  "没有生效中的静默。",
	SilencesHead:  "<b>生效中的静默：%d</b>",
	Unsilenced:    "静默 <code>%s</code> 已解除。",
	NoSilence:     "没有生效中的静默 <code>%s</code>。",
	AmbiguousID:   "<code>%s</code> 匹配多个静默，请提供更长的 ID。",
	NoProm:        "图表需要 Prometheus：请在 Herald 配置中设置 <code>prometheus.url</code>。",
	ChartFailed:   "无法生成图表：%s",
	NoCharts:      "没有已保存的图表：请在 Herald 配置的 <code>charts:</code> 下添加。",
	UnknownChart:  "没有图表 %s。已保存的图表：%s",
	NoGrafana:     "仪表板需要 Grafana：请在 Herald 配置中设置 <code>grafana.url</code>。",
	Dashboards:    "<b>仪表板</b>",
	NoDashboards:  "没有匹配的仪表板。",
	Panels:        "<b>%s</b>：请选择面板",
	NoPanels:      "此仪表板没有面板。",
	NoRenderer:    "Grafana 无法渲染图片：需要图片渲染服务（Grafana 13 及以上版本只支持独立部署的 grafana-image-renderer）。",
	RenderTimeout: "Grafana 未能及时渲染该面板。",
	Rendering:     "正在渲染…",

	ButtonSilence:  "🔕 %s",
	ButtonAck:      "✅ 确认",
	ButtonUndo:     "↩️ 撤销",
	ButtonSilenced: "🔕 %s 静默至 %s",
	ButtonAcked:    "✅ %s",
	ButtonRange:    "📈 %s",
	ButtonRefresh:  "🔄 刷新",
	ButtonPrev:     "◀️",
	ButtonNext:     "▶️",
	ButtonExpired:  "此按钮已过期。",
	ButtonBad:      "此按钮无效。",
	AnsSilenced:    "已静默至 %s",
	AnsUndone:      "已解除静默",
	AnsAcked:       "已确认",
	AnsAlreadyAck:  "已由 %s 确认",
	AnsNoAlert:     "此按钮对应的告警已不存在。",

	NoCollectors:    "未采集任何 Docker 主机：请在 Herald 配置的 <code>collectors.docker.hosts</code> 中添加。",
	ContainersUsage: "用法：<code>/containers [hour|day|week]</code> 查看汇总，<code>/containers chart cpu|memory|traffic [hour|day|week] [host]</code> 查看图表。",
	ButtonCPU:       "📈 CPU",
	ButtonMemory:    "📈 内存",
	ButtonTraffic:   "📈 流量",

	LangSet: "我将在本聊天中使用简体中文。",
	LangBad: "可选语言：%s，或 auto（按每位用户的 Telegram 语言）。",
	Commands: map[string]string{
		"alerts":        "本聊天正在触发的告警",
		"subscribe":     "接收匹配的告警",
		"subscriptions": "本聊天的订阅",
		"unsubscribe":   "删除订阅",
		"silence":       "在 Alertmanager 中静默告警",
		"silences":      "生效中的静默",
		"unsilence":     "解除静默",
		"graph":         "绘制 PromQL 表达式的图表",
		"chart":         "已保存的图表",
		"hour":          "已保存的图表，最近 1 小时",
		"day":           "已保存的图表，最近 1 天",
		"week":          "已保存的图表，最近 1 周",
		"dashboards":    "以图片形式查看 Grafana 面板",
		"containers":    "Docker 容器：汇总与图表",
		"lang":          "机器人在此使用的语言",
		"help":          "机器人能做什么",
		"start":         "问候并显示本聊天的 ID",
	},
}
