package bot

import "github.com/prometheus/client_golang/prometheus"

// metrics are the bot's own: updates by kind, commands by name and
// outcome, refusals and failed polls.
type metrics struct {
	updates    *prometheus.CounterVec
	commands   *prometheus.CounterVec
	refused    prometheus.Counter
	pollErrors prometheus.Counter
}

// commandResults are the outcomes of a command.
var commandResults = []string{"ok", "usage", "refused", "limited", "failed"}

func newMetrics(reg prometheus.Registerer) *metrics {
	m := &metrics{
		updates: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "herald_bot_updates_total",
			Help: "Telegram updates received by the bot, by kind (repeated: an update id seen before).",
		}, []string{"kind"}),
		commands: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "herald_bot_commands_total",
			Help: "Bot commands and button presses, by command and result.",
		}, []string{"command", "result"}),
		refused: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "herald_bot_refused_total",
			Help: "Messages and button presses from people the bot is not set up for.",
		}),
		pollErrors: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "herald_bot_poll_errors_total",
			Help: "Failed getUpdates calls.",
		}),
	}
	for _, k := range []string{"message", "edited_message", "callback_query", "other", "repeated", "failed"} {
		m.updates.WithLabelValues(k)
	}
	for _, c := range append(append([]string(nil), commandOrder...), "regexp", "list", "button") {
		for _, r := range commandResults {
			m.commands.WithLabelValues(c, r)
		}
	}
	if reg != nil {
		reg.MustRegister(m.updates, m.commands, m.refused, m.pollErrors)
	}
	return m
}
