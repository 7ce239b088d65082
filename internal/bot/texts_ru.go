package bot

// ru is the bot's Russian. Silence the verb is «заглушить», the
// Alertmanager object keeps the name SREs use for it, «сайленс».
var ru = catalog{
	Refused:          "Извините, этот бот отвечает только тем, для кого он настроен. Ваш Telegram user id: <code>%d</code>. Администратор может добавить его в <code>telegram.allowed_users</code>.",
	SlowDown:         "Не так быстро, пожалуйста: лимит команд в минуту — %d.",
	Start:            "Привет, я Herald, бот для алертов.\nID этого чата: <code>%d</code>\nЧто он получает: %s\n\n/help — что я умею.",
	ReceivesNothing:  "пока ничего (попробуйте /subscribe)",
	ReceivesChannels: "каналы %s",
	ReceivesSubs:     "подписок: %d, см. /subscriptions",
	Help: `<b>Алерты</b>
/alerts [матчеры] – активные алерты этого чата
/subscribe &lt;матчеры или regexp&gt; – получать подходящие алерты
  <code>/subscribe severity="critical", job=~"node.*"</code>
  <code>/subscribe Disk.*</code> (regexp по имени алерта; также /regexp)
/subscriptions – подписки этого чата (/list)
/unsubscribe &lt;n|all&gt;

<b>Сайленсы</b> (Alertmanager)
/silence &lt;матчеры&gt; &lt;длительность&gt; [комментарий]
  <code>/silence alertname="DiskFull", instance="db1" 2h disk swap</code>
/silences – активные сайленсы
/unsilence &lt;id&gt;

<b>Графики</b>
/graph &lt;promql&gt; [период] – <code>/graph rate(node_network_receive_bytes_total[5m]) 6h</code>
/chart &lt;имя&gt; [hour|day|week] – сохранённый график; /hour, /day, /week — все сразу
/dashboards [поиск] – панели Grafana картинками
/containers [hour|day|week] – Docker-контейнеры: сводка; <code>/containers chart cpu day</code>

/lang en|ru|uk|zh|auto – язык бота в этом чате`,
	Unknown:    "Такой команды я не знаю. /help — список команд.",
	Usage:      "%s\nПример: <code>%s</code>",
	AdminsOnly: "Здесь это могут делать только администраторы бота.",
	Failed:     "Не получилось: %s",

	Subscribed:      "Подписка #%d оформлена: <code>%s</code>",
	SubDuplicate:    "У этого чата уже есть такая подписка.",
	Unsubscribed:    "Подписка #%d удалена.",
	UnsubscribedAll: "Удалено подписок: %d.",
	NoSub:           "Подписки #%d нет, список — /subscriptions.",
	NoSubs:          "У этого чата нет подписок. Пример: <code>/subscribe severity=\"critical\"</code>",
	SubsHeader:      "<b>Подписки этого чата</b>",

	AlertsNone:    "Активных алертов для этого чата нет.",
	AlertsHeader:  "<b>Активных алертов: %d</b> (стр. %d из %d)",
	AlertsFromAM:  "из Alertmanager",
	AlertsFromDB:  "из хранилища Herald (alertmanager.url не задан)",
	NoAM:          "Для сайленсов нужен Alertmanager: задайте <code>alertmanager.url</code> в конфигурации Herald.",
	Silenced:      "🔕 Заглушено до %s\nid <code>%s</code>",
	SilencesNone:  "Активных сайленсов нет.",
	SilencesHead:  "<b>Активные сайленсы: %d</b>",
	Unsilenced:    "Сайленс <code>%s</code> снят.",
	NoSilence:     "Активного сайленса <code>%s</code> нет.",
	AmbiguousID:   "<code>%s</code> подходит к нескольким сайленсам: укажите id длиннее.",
	NoProm:        "Для графиков нужен Prometheus: задайте <code>prometheus.url</code> в конфигурации Herald.",
	ChartFailed:   "График не построен: %s",
	NoCharts:      "Сохранённых графиков нет: добавьте их в раздел <code>charts:</code> конфигурации Herald.",
	UnknownChart:  "Графика %s нет. Сохранённые графики: %s",
	NoGrafana:     "Для дашбордов нужна Grafana: задайте <code>grafana.url</code> в конфигурации Herald.",
	Dashboards:    "<b>Дашборды</b>",
	NoDashboards:  "Подходящих дашбордов нет.",
	Panels:        "<b>%s</b>: выберите панель",
	NoPanels:      "На этом дашборде нет панелей.",
	NoRenderer:    "Grafana не может рендерить картинки: нужен сервис рендеринга (Grafana 13 и новее работает только с отдельным grafana-image-renderer).",
	RenderTimeout: "Grafana не успела отрендерить панель.",
	Rendering:     "Рендерю…",

	ButtonSilence:  "🔕 %s",
	ButtonAck:      "✅ Подтвердить",
	ButtonUndo:     "↩️ Отменить",
	ButtonSilenced: "🔕 %s, до %s",
	ButtonAcked:    "✅ %s",
	ButtonRange:    "📈 %s",
	ButtonRefresh:  "🔄 Обновить",
	ButtonPrev:     "◀️",
	ButtonNext:     "▶️",
	ButtonExpired:  "Эта кнопка устарела.",
	ButtonBad:      "Эта кнопка недействительна.",
	AnsSilenced:    "Заглушено до %s",
	AnsUndone:      "Сайленс снят",
	AnsAcked:       "Подтверждено",
	AnsAlreadyAck:  "Уже подтверждено: %s",
	AnsNoAlert:     "Алерта, к которому относится эта кнопка, больше нет.",

	NoCollectors:    "Docker-хосты не опрашиваются: добавьте их в <code>collectors.docker.hosts</code> в конфигурации Herald.",
	ContainersUsage: "Использование: <code>/containers [hour|day|week]</code> — сводка, <code>/containers chart cpu|memory|traffic [hour|day|week] [host]</code> — график.",
	ButtonCPU:       "📈 CPU",
	ButtonMemory:    "📈 Память",
	ButtonTraffic:   "📈 Трафик",

	LangSet: "В этом чате я буду говорить по-русски.",
	LangBad: "Языки: %s или auto (у каждого пользователя — язык его Telegram).",
	Commands: map[string]string{
		"alerts":        "Активные алерты этого чата",
		"subscribe":     "Получать подходящие алерты",
		"subscriptions": "Подписки этого чата",
		"unsubscribe":   "Удалить подписку",
		"silence":       "Заглушить алерты в Alertmanager",
		"silences":      "Активные сайленсы",
		"unsilence":     "Снять сайленс",
		"graph":         "График выражения PromQL",
		"chart":         "Сохранённый график",
		"hour":          "Сохранённые графики за час",
		"day":           "Сохранённые графики за сутки",
		"week":          "Сохранённые графики за неделю",
		"dashboards":    "Панели Grafana картинками",
		"containers":    "Docker-контейнеры: сводка и графики",
		"lang":          "Язык бота в этом чате",
		"help":          "Что умеет бот",
		"start":         "Приветствие и id этого чата",
	},
}
