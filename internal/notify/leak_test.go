package notify_test

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	amtemplate "github.com/prometheus/alertmanager/template"

	"github.com/heraldhq/herald/internal/alert"
	"github.com/heraldhq/herald/internal/config"
	"github.com/heraldhq/herald/internal/notify"
	"github.com/heraldhq/herald/internal/notify/dingtalk"
	"github.com/heraldhq/herald/internal/notify/discord"
	"github.com/heraldhq/herald/internal/notify/slack"
	"github.com/heraldhq/herald/internal/notify/teams"
	"github.com/heraldhq/herald/internal/notify/telegram"
	"github.com/heraldhq/herald/internal/notify/webhook"
	"github.com/heraldhq/herald/internal/notify/wecom"
	tg "github.com/heraldhq/herald/internal/telegram"
	"github.com/heraldhq/herald/internal/template"
	"github.com/heraldhq/herald/internal/testutil/alerts"
)

// cutAt is where notify.CheckResponse cuts an error body (maxErrorBody).
const cutAt = 512

// quotingServer answers every request 400 with a page that quotes the
// request URL, padded so that token starts 10 bytes before the cut: the
// cut keeps a 10-byte head of it, which no redaction of the whole token
// afterwards recognises.
func quotingServer(t *testing.T, token *string) *httptest.Server {
	t.Helper()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		quoted := "Bad Request: cannot route " + r.Method + " " + r.URL.RequestURI() + " (see logs)"
		at := strings.Index(quoted, *token)
		if at < 0 {
			t.Errorf("the request URL %q does not hold the token", r.URL.RequestURI())
			at = 0
		}
		pad := strings.Repeat("x", max(0, cutAt-10-at))
		w.Header().Set("Content-Type", "text/plain")
		w.WriteHeader(http.StatusBadRequest)
		fmt.Fprint(w, pad+quoted)
	}))
	t.Cleanup(srv.Close)
	return srv
}

// leakCase builds a notifier of one platform posting to base, whose URL
// holds token; secrets are what the configuration declares secret (what
// the dispatcher redacts once more).
type leakCase struct {
	name  string
	token string
	build func(t *testing.T, base string, tmpl *template.Templates, logger *slog.Logger) (n notify.Notifier, secrets []string)
}

// must(f())(t) is the value of f, failing t on f's error.
func must[T any](v T, err error) func(*testing.T) T {
	return func(t *testing.T) T {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
}

var leakCases = []leakCase{
	{name: "telegram", token: "123456789:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw",
		build: func(t *testing.T, base string, tmpl *template.Templates, logger *slog.Logger) (notify.Notifier, []string) {
			token := "123456789:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw"
			bot := must(tg.New(config.TelegramConfig{BotToken: config.Secret(token), APIURL: base}, logger))(t)
			ch := telegram.DefaultConfig()
			ch.ChatID = "-100123"
			return telegram.New("ops", &ch, bot, tmpl, logger), []string{token}
		}},
	{name: "dingtalk", token: "0f4c2d9e8b7a61524c3b2a1908f7e6d5c4b3a2918f7e6d5c4b3a29180f7e6d5c",
		build: func(t *testing.T, base string, tmpl *template.Templates, logger *slog.Logger) (notify.Notifier, []string) {
			u := base + "/robot/send?access_token=0f4c2d9e8b7a61524c3b2a1908f7e6d5c4b3a2918f7e6d5c4b3a29180f7e6d5c"
			return must(dingtalk.New("ops", &dingtalk.Config{URL: config.Secret(u)}, tmpl, logger))(t), []string{u}
		}},
	{name: "wecom", token: "693a91f6-7xxx-4bc4-97a0-0ec2sifa5aaa",
		build: func(t *testing.T, base string, tmpl *template.Templates, logger *slog.Logger) (notify.Notifier, []string) {
			u := base + "/cgi-bin/webhook/send?key=693a91f6-7xxx-4bc4-97a0-0ec2sifa5aaa"
			robot := must(wecom.NewRobot(u))(t)
			return must(wecom.New("ops", &wecom.Config{URL: config.Secret(u)}, robot, tmpl, logger))(t), []string{u}
		}},
	{name: "teams", token: "q9Xw2Lr7Tz0Pv4Nk8Bd1Fh6Jm3Cs5Gy7Ue9Ia2Oo4Ww",
		build: func(t *testing.T, base string, tmpl *template.Templates, logger *slog.Logger) (notify.Notifier, []string) {
			u := base + "/workflows/1f2e3d4c5b6a/triggers/manual/paths/invoke?api-version=2016-06-01&sig=q9Xw2Lr7Tz0Pv4Nk8Bd1Fh6Jm3Cs5Gy7Ue9Ia2Oo4Ww"
			hook := must(teams.NewWebhook(u, teams.Options{}))(t)
			return teams.New("ops", &teams.Config{URL: config.Secret(u)}, hook, tmpl, logger), []string{u}
		}},
	{name: "discord", token: "Zq8Yp7Xo6Wn5Vm4Ul3Tk2Sj1Ri0QhPgOfNeMdLcKbJaIzHy",
		build: func(t *testing.T, base string, tmpl *template.Templates, logger *slog.Logger) (notify.Notifier, []string) {
			u := base + "/api/webhooks/123456789012345678/Zq8Yp7Xo6Wn5Vm4Ul3Tk2Sj1Ri0QhPgOfNeMdLcKbJaIzHy"
			hook := must(discord.NewWebhook(u))(t)
			return must(discord.New("ops", &discord.Config{URL: config.Secret(u)}, hook, tmpl, logger))(t), []string{u}
		}},
	{name: "slack webhook", token: "Xk3mQ9pL2vR7sT1wY5zA8bC4",
		build: func(t *testing.T, base string, tmpl *template.Templates, logger *slog.Logger) (notify.Notifier, []string) {
			u := base + "/services/T0123ABCD/B0456EFGH/Xk3mQ9pL2vR7sT1wY5zA8bC4"
			return must(slack.New("ops", &slack.Config{WebhookURL: config.Secret(u)}, nil, tmpl, logger))(t), []string{u}
		}},
	{name: "webhook", token: "s3cr3tT0kenInTheQueryString42",
		build: func(t *testing.T, base string, _ *template.Templates, logger *slog.Logger) (notify.Notifier, []string) {
			u := base + "/hooks/herald?token=s3cr3tT0kenInTheQueryString42"
			return must(webhook.New("ops", &webhook.Config{URL: config.Secret(u)}, logger))(t), []string{u}
		}},
}

// TestErrorBodyCutKeepsNoPieceOfASecret: a platform (or a proxy in front
// of it) answers 400 with a page quoting the request URL, the token placed
// across the point where the error body is cut. Neither the notifier's
// error, nor that error as the dispatcher logs it (redacted once more with
// the configuration's secrets), nor the notifier's own logs hold any
// 8-byte piece of the token.
func TestErrorBodyCutKeepsNoPieceOfASecret(t *testing.T) {
	t.Parallel()
	for _, tc := range leakCases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			token := tc.token
			srv := quotingServer(t, &token)
			var logs alerts.LogBuffer
			logger := logs.Logger()
			n, secrets := tc.build(t, srv.URL, alerts.Templates(t, time.Time{}, logger, dingtalk.FS, wecom.FS, teams.FS, discord.FS, slack.FS), logger)
			ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
			defer cancel()
			_, _, err := n.Notify(ctx, alerts.Event(alert.KindFiring, []amtemplate.KV{{"alertname": "Leak", "instance": "db1"}}))
			if err == nil {
				t.Fatal("Notify succeeded against a server answering 400")
			}
			logged := notify.Redact(err, secrets...)
			logger.Error("delivery failed", "err", logged)
			for what, text := range map[string]string{"error": err.Error(), "logs": logs.String()} {
				if piece := secretPiece(text, token); piece != "" {
					t.Errorf("%s holds %q, a piece of the token:\n%s", what, piece, text)
				}
			}
			if !strings.Contains(err.Error(), "400") {
				t.Errorf("error %q lost the status", err)
			}
		})
	}
}

// secretPiece is the first piece of secret of at least 8 bytes found in
// text, "" when there is none.
func secretPiece(text, secret string) string {
	for i := 0; i+8 <= len(secret); i++ {
		if strings.Contains(text, secret[i:i+8]) {
			return secret[i : i+8]
		}
	}
	return ""
}
