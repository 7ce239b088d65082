package telegram

import (
	"context"
	"log/slog"
	"strconv"
	"testing"
	"time"

	amtemplate "github.com/prometheus/alertmanager/template"

	"github.com/heraldhq/herald/internal/alert"
	"github.com/heraldhq/herald/internal/config"
	"github.com/heraldhq/herald/internal/notify"
	"github.com/heraldhq/herald/internal/template"
	"github.com/heraldhq/herald/internal/testutil"
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

func mustBot(t *testing.T, cfg config.TelegramConfig, logger *slog.Logger) *Bot {
	t.Helper()
	b, err := NewBot(cfg, logger)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func channelConfig(chat int64) *config.TelegramChannelConfig {
	c := config.DefaultTelegramChannelConfig()
	c.ChatID = config.ChatID(strconv.FormatInt(chat, 10))
	return &c
}

// newNotifier makes a notifier with Herald's real templates.
func newNotifier(t *testing.T, bot *Bot, cfg *config.TelegramChannelConfig, logger *slog.Logger) *Notifier {
	t.Helper()
	tmpl, err := template.New(nil, logger)
	if err != nil {
		t.Fatal(err)
	}
	return New("ops", cfg, bot, tmpl, logger)
}

// fixed makes n send text whatever the message, for tests about delivery
// rather than rendering.
func fixed(n *Notifier, text string) *Notifier {
	n.render = func(*notify.Message) string { return text }
	return n
}

var startsAt = time.Date(2025, 3, 1, 12, 0, 0, 0, time.UTC)

// message is an event for alerts with the given label sets.
func message(kind alert.Kind, labels ...amtemplate.KV) *notify.Message {
	d := &amtemplate.Data{Receiver: "herald", Status: "firing", ExternalURL: "http://alertmanager:9093",
		GroupLabels: amtemplate.KV{}, CommonLabels: amtemplate.KV{}, CommonAnnotations: amtemplate.KV{}}
	if kind == alert.KindResolved {
		d.Status = "resolved"
	}
	for _, l := range labels {
		a := amtemplate.Alert{Status: d.Status, Labels: l, StartsAt: startsAt, Fingerprint: alert.Fingerprint(l),
			Annotations: amtemplate.KV{"summary": l["summary"]}}
		if kind == alert.KindResolved {
			a.EndsAt = startsAt.Add(5 * time.Minute)
		}
		d.Alerts = append(d.Alerts, a)
	}
	if len(labels) == 1 {
		d.CommonLabels = labels[0]
	}
	return &notify.Message{Channel: "ops", Kind: kind, Data: d}
}

func ctxT(t *testing.T, d time.Duration) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), d)
	t.Cleanup(cancel)
	return ctx
}

// logBuffer collects log lines of every level, to search them for secrets.
type logBuffer struct{ testutil.Buffer }

func (l *logBuffer) logger() *slog.Logger {
	return slog.New(slog.NewTextHandler(l, &slog.HandlerOptions{Level: slog.LevelDebug}))
}

func mustTemplates(t *testing.T) *template.Templates {
	t.Helper()
	tmpl, err := template.New(nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	return tmpl
}
