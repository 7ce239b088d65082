package telegram

import (
	"log/slog"
	"strconv"
	"testing"
	"time"

	amtemplate "github.com/prometheus/alertmanager/template"

	"github.com/heraldhq/herald/internal/alert"
	"github.com/heraldhq/herald/internal/config"
	"github.com/heraldhq/herald/internal/notify"
	tg "github.com/heraldhq/herald/internal/telegram"
	"github.com/heraldhq/herald/internal/template"
	"github.com/heraldhq/herald/internal/testutil/alerts"
	"github.com/heraldhq/herald/internal/testutil/faketelegram"
)

// The chats of newFake.
const (
	userChat  = 111
	groupChat = -100222
	forumChat = -100333
	topic     = 7
)

// newFake starts a fake Bot API with a private chat, a group and a forum.
func newFake(t *testing.T, limits faketelegram.Limits) *faketelegram.Server {
	return faketelegram.New(t, faketelegram.Config{Limits: limits, Chats: []faketelegram.Chat{
		{ID: userChat},
		{ID: groupChat},
		{ID: forumChat, Topics: []int64{topic}},
	}})
}

// botConfig points at fake with limits high enough not to slow a test.
func botConfig(fake *faketelegram.Server) config.TelegramConfig {
	return config.TelegramConfig{
		BotToken:   config.Secret(fake.Token()),
		APIURL:     fake.URL(),
		Timeout:    config.Duration(5 * time.Second),
		RateLimits: config.TelegramRateLimits{PerChat: 1000, PerGroupPerMinute: 1e6, Global: 1000},
	}
}

func mustBot(t *testing.T, cfg config.TelegramConfig, logger *slog.Logger, opts ...tg.Option) *tg.Client {
	t.Helper()
	b, err := tg.New(cfg, logger, opts...)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func channelConfig(chat int64) *Config {
	c := DefaultConfig()
	c.ChatID = config.ChatID(strconv.FormatInt(chat, 10))
	return &c
}

// newNotifier makes a notifier with Herald's real templates.
func newNotifier(t *testing.T, bot *tg.Client, cfg *Config, logger *slog.Logger) *Notifier {
	t.Helper()
	return New("ops", cfg, bot, alerts.Templates(t, time.Time{}, logger), logger)
}

// fixed makes n send text whatever the message, for tests about delivery
// rather than rendering.
func fixed(n *Notifier, text string) *Notifier {
	n.render = func(*notify.Message) string { return text }
	return n
}

// message is an event for alerts with the given label sets, without
// source links; each alert's summary is its "summary" label.
func message(kind alert.Kind, labels ...amtemplate.KV) *notify.Message {
	return alerts.Event(kind, labels, alerts.CopySummary(), alerts.GeneratorURL(""))
}

// mustTemplates are Herald's templates on the real clock.
func mustTemplates(t *testing.T) *template.Templates {
	t.Helper()
	return alerts.Templates(t, time.Time{}, nil)
}
