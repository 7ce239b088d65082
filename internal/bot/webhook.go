package bot

import (
	"crypto/hmac"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"encoding/json"
	"io"
	"net/http"
	"strings"

	"github.com/heraldhq/herald/internal/config"
	"github.com/heraldhq/herald/internal/telegram"
)

// WebhookPath is where Herald receives Telegram's updates in webhook mode.
const WebhookPath = "/telegram/webhook"

// maxUpdate bounds an update's body: a message is at most a few kilobytes
// of text and entities.
const maxUpdate = 1 << 20

// WebhookURL is the URL registered with setWebhook: telegram.webhook.url,
// else external_url + WebhookPath.
func WebhookURL(cfg *config.Config) string {
	if cfg.Telegram.Webhook.URL != "" {
		return cfg.Telegram.Webhook.URL
	}
	return strings.TrimRight(cfg.ExternalURL, "/") + WebhookPath
}

// WebhookSecret is the secret_token Telegram sends back with every
// update: telegram.webhook.secret_token, else one derived from the bot
// token, so that a webhook is never registered without one.
func WebhookSecret(cfg *config.Config) string {
	if s := string(cfg.Telegram.Webhook.SecretToken); s != "" {
		return s
	}
	mac := hmac.New(sha256.New, []byte(cfg.Telegram.BotToken))
	mac.Write([]byte("herald telegram webhook secret"))
	return base64.RawURLEncoding.EncodeToString(mac.Sum(nil))
}

// ServeHTTP receives one update in webhook mode. A request without the
// secret token is answered 401 and changes nothing; an update is answered
// 200 once handled (Telegram sends it again otherwise), including one
// handled before.
func (b *Bot) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodPost {
		w.Header().Set("Allow", http.MethodPost)
		http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
		return
	}
	cfg := b.settings().cfg
	if cfg.Telegram.Mode != config.BotWebhook {
		http.Error(w, "the bot is not in webhook mode", http.StatusNotFound)
		return
	}
	got := r.Header.Get("X-Telegram-Bot-Api-Secret-Token")
	if subtle.ConstantTimeCompare([]byte(got), []byte(WebhookSecret(cfg))) != 1 {
		b.metrics.refused.Inc()
		http.Error(w, "wrong or missing X-Telegram-Bot-Api-Secret-Token", http.StatusUnauthorized)
		return
	}
	body, err := io.ReadAll(io.LimitReader(r.Body, maxUpdate+1))
	if err != nil {
		http.Error(w, "cannot read the update", http.StatusBadRequest)
		return
	}
	if len(body) > maxUpdate {
		http.Error(w, "update too large", http.StatusRequestEntityTooLarge)
		return
	}
	var u telegram.Update
	if err := json.Unmarshal(body, &u); err != nil || u.UpdateID == 0 {
		http.Error(w, "not a Telegram update", http.StatusBadRequest)
		return
	}
	if err := b.Handle(r.Context(), u); err != nil {
		b.logger.Warn("cannot record a webhook update; Telegram will send it again", "err", err)
		http.Error(w, "cannot record the update", http.StatusServiceUnavailable)
		return
	}
	w.WriteHeader(http.StatusOK)
}
