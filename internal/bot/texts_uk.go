package bot

// uk is the bot's Ukrainian. Silence the verb is «заглушити», the
// Alertmanager object keeps the name SREs use for it, «сайленс».
var uk = catalog{
	Refused:          "Вибачте, цей бот відповідає лише тим, для кого його налаштовано. Ваш Telegram user id: <code>%d</code>. Адміністратор може додати його до <code>telegram.allowed_users</code>.",
	SlowDown:         "Не так швидко, будь ласка: ліміт команд на хвилину — %d.",
	Start:            "Привіт, я Herald, бот для алертів.\nID цього чату: <code>%d</code>\nЩо він отримує: %s\n\n/help — що я вмію.",
	ReceivesNothing:  "поки нічого (спробуйте /subscribe)",
	ReceivesChannels: "канали %s",
	ReceivesSubs:     "підписок: %d, див. /subscriptions",
	Help: `<b>Алерти</b>
/alerts [матчери] – активні алерти цього чату
/subscribe &lt;матчери або regexp&gt; – отримувати відповідні алерти
  <code>/subscribe severity="critical", job=~"node.*"</code>
  <code>/subscribe Disk.*</code> (regexp за назвою алерта; також /regexp)
/subscriptions – підписки цього чату (/list)
/unsubscribe &lt;n|all&gt;

<b>Сайленси</b> (Alertmanager)
/silence &lt;матчери&gt; &lt;тривалість&gt; [коментар]
  <code>/silence alertname="DiskFull", instance="db1" 2h disk swap</code>
/silences – активні сайленси
/unsilence &lt;id&gt;

<b>Графіки</b>
/graph &lt;promql&gt; [період] – <code>/graph rate(node_network_receive_bytes_total[5m]) 6h</code>
/chart &lt;назва&gt; [hour|day|week] – збережений графік; /hour, /day, /week — усі одразу
/dashboards [пошук] – панелі Grafana як зображення
/containers [hour|day|week] – Docker-контейнери: зведення; <code>/containers chart cpu day</code>

/lang en|ru|uk|zh|auto – мова бота в цьому чаті`,
	Unknown:    "Такої команди я не знаю. /help — список команд.",
	Usage:      "%s\nПриклад: <code>%s</code>",
	AdminsOnly: "Тут це можуть робити лише адміністратори бота.",
	Failed:     "Не вдалося: %s",

	Subscribed:      "Підписку #%d оформлено: <code>%s</code>",
	SubDuplicate:    "Цей чат уже має таку підписку.",
	Unsubscribed:    "Підписку #%d видалено.",
	UnsubscribedAll: "Видалено підписок: %d.",
	NoSub:           "Підписки #%d немає, список — /subscriptions.",
	NoSubs:          "Цей чат не має підписок. Приклад: <code>/subscribe severity=\"critical\"</code>",
	SubsHeader:      "<b>Підписки цього чату</b>",

	AlertsNone:    "Активних алертів для цього чату немає.",
	AlertsHeader:  "<b>Активних алертів: %d</b> (стор. %d з %d)",
	AlertsFromAM:  "з Alertmanager",
	AlertsFromDB:  "зі сховища Herald (alertmanager.url не задано)",
	NoAM:          "Для сайленсів потрібен Alertmanager: задайте <code>alertmanager.url</code> у конфігурації Herald.",
	Silenced:      "🔕 Заглушено до %s\nid <code>%s</code>",
	SilencesNone:  "Активних сайленсів немає.",
	SilencesHead:  "<b>Активні сайленси: %d</b>",
	Unsilenced:    "Сайленс <code>%s</code> знято.",
	NoSilence:     "Активного сайленсу <code>%s</code> немає.",
	AmbiguousID:   "<code>%s</code> підходить до кількох сайленсів: вкажіть довший id.",
	NoProm:        "Для графіків потрібен Prometheus: задайте <code>prometheus.url</code> у конфігурації Herald.",
	ChartFailed:   "Графік не побудовано: %s",
	NoCharts:      "Збережених графіків немає: додайте їх у розділ <code>charts:</code> конфігурації Herald.",
	UnknownChart:  "Графіка %s немає. Збережені графіки: %s",
	NoGrafana:     "Для дашбордів потрібна Grafana: задайте <code>grafana.url</code> у конфігурації Herald.",
	Dashboards:    "<b>Дашборди</b>",
	NoDashboards:  "Відповідних дашбордів немає.",
	Panels:        "<b>%s</b>: виберіть панель",
	NoPanels:      "На цьому дашборді немає панелей.",
	NoRenderer:    "Grafana не може рендерити зображення: потрібен сервіс рендерингу (Grafana 13 і новіші працюють лише з окремим grafana-image-renderer).",
	RenderTimeout: "Grafana не встигла відрендерити панель.",
	Rendering:     "Рендерю…",

	ButtonSilence:  "🔕 %s",
	ButtonAck:      "✅ Підтвердити",
	ButtonUndo:     "↩️ Скасувати",
	ButtonSilenced: "🔕 %s, до %s",
	ButtonAcked:    "✅ %s",
	ButtonRange:    "📈 %s",
	ButtonRefresh:  "🔄 Оновити",
	ButtonPrev:     "◀️",
	ButtonNext:     "▶️",
	ButtonExpired:  "Ця кнопка застаріла.",
	ButtonBad:      "Ця кнопка недійсна.",
	AnsSilenced:    "Заглушено до %s",
	AnsUndone:      "Сайленс знято",
	AnsAcked:       "Підтверджено",
	AnsAlreadyAck:  "Уже підтверджено: %s",
	AnsNoAlert:     "Алерта, до якого належить ця кнопка, більше немає.",

	NoCollectors:    "Docker-хости не опитуються: додайте їх у <code>collectors.docker.hosts</code> у конфігурації Herald.",
	ContainersUsage: "Використання: <code>/containers [hour|day|week]</code> — зведення, <code>/containers chart cpu|memory|traffic [hour|day|week] [host]</code> — графік.",
	ButtonCPU:       "📈 CPU",
	ButtonMemory:    "📈 Пам'ять",
	ButtonTraffic:   "📈 Трафік",

	LangSet: "У цьому чаті я говоритиму українською.",
	LangBad: "Мови: %s або auto (у кожного користувача — мова його Telegram).",
	Commands: map[string]string{
		"alerts":        "Активні алерти цього чату",
		"subscribe":     "Отримувати відповідні алерти",
		"subscriptions": "Підписки цього чату",
		"unsubscribe":   "Видалити підписку",
		"silence":       "Заглушити алерти в Alertmanager",
		"silences":      "Активні сайленси",
		"unsilence":     "Зняти сайленс",
		"graph":         "Графік виразу PromQL",
		"chart":         "Збережений графік",
		"hour":          "Збережені графіки за годину",
		"day":           "Збережені графіки за добу",
		"week":          "Збережені графіки за тиждень",
		"dashboards":    "Панелі Grafana як зображення",
		"containers":    "Docker-контейнери: зведення та графіки",
		"lang":          "Мова бота в цьому чаті",
		"help":          "Що вміє бот",
		"start":         "Привітання та id цього чату",
	},
}
