package bot

import (
	"strings"
)

// catalog is every text the bot writes itself, in one language. Users'
// templates are not here: alert messages are theirs. Texts are HTML for
// Telegram's parse mode (only <b>, <i>, <code>, <pre>); the %-verbs are
// filled with fmt, and values from outside are escaped by the caller.
type catalog struct {
	Refused          string // %d user id
	SlowDown         string // %d commands per minute
	Start            string // %d chat id, %s what the chat receives
	ReceivesNothing  string
	ReceivesChannels string // %s channel names
	ReceivesSubs     string // %d subscriptions
	Help             string
	Unknown          string
	Usage            string // %s problem, %s example
	AdminsOnly       string
	Failed           string // %s error

	Subscribed      string // %d number, %s expression
	SubDuplicate    string
	Unsubscribed    string // %d number
	UnsubscribedAll string // %d count
	NoSub           string // %d number
	NoSubs          string
	SubsHeader      string

	AlertsNone    string
	AlertsHeader  string // %d count, %d page, %d pages
	AlertsFromAM  string
	AlertsFromDB  string
	NoAM          string
	Silenced      string // %s until, %s id
	SilencesNone  string
	SilencesHead  string // %d count
	Unsilenced    string // %s id
	NoSilence     string // %s id
	AmbiguousID   string // %s prefix
	NoProm        string
	ChartFailed   string // %s error
	NoCharts      string
	UnknownChart  string // %s name, %s names
	NoGrafana     string
	Dashboards    string
	NoDashboards  string
	Panels        string // %s dashboard
	NoPanels      string
	NoRenderer    string
	RenderTimeout string
	Rendering     string

	ButtonSilence  string // %s duration
	ButtonAck      string
	ButtonUndo     string
	ButtonSilenced string // %s who, %s until
	ButtonAcked    string // %s who
	ButtonRange    string // %s range
	ButtonRefresh  string
	ButtonPrev     string
	ButtonNext     string
	ButtonExpired  string
	ButtonBad      string
	AnsSilenced    string // %s until
	AnsUndone      string
	AnsAcked       string
	AnsAlreadyAck  string // %s who
	AnsNoAlert     string

	NoCollectors    string
	ContainersUsage string
	ButtonCPU       string
	ButtonMemory    string
	ButtonTraffic   string

	LangSet  string
	LangBad  string // %s languages
	Commands map[string]string
}

// language picks the catalog of a Telegram language_code ("en", "ru",
// "uk", "zh-hans"...), or def's when the bot does not speak it.
func language(code, def string) string {
	code = strings.ToLower(code)
	if i := strings.IndexAny(code, "-_"); i > 0 {
		code = code[:i]
	}
	switch code {
	case "en", "ru", "uk", "zh":
		return code
	}
	return def
}

// texts returns the catalog of lang (see language), English for one the
// bot does not speak.
func texts(lang string) *catalog {
	switch lang {
	case "ru":
		return &ru
	case "uk":
		return &uk
	case "zh":
		return &zh
	}
	return &en
}

// commandOrder is the order of the command menu.
var commandOrder = []string{"alerts", "subscribe", "subscriptions", "unsubscribe", "silence", "silences", "unsilence",
	"graph", "chart", "hour", "day", "week", "dashboards", "containers", "lang", "help", "start"}
