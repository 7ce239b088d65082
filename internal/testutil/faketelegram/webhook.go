package faketelegram

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
)

// SecretTokenHeader carries a webhook's secret_token in every update
// Telegram posts (https://core.telegram.org/bots/api#setwebhook).
const SecretTokenHeader = "X-Telegram-Bot-Api-Secret-Token"

// PostWebhook delivers the pending updates to url the way Telegram
// delivers to a webhook: one POST of the Update's JSON at a time, oldest
// first, with secretToken in X-Telegram-Bot-Api-Secret-Token (no header
// when empty). A 2xx answer confirms the update, which leaves the queue;
// the first other answer (or a transport error) stops the delivery and
// keeps that update and the rest pending, as Telegram keeps retrying
// them. It returns the status of each POST made.
//
// url and secretToken are arguments rather than the webhook that
// setWebhook set, so that a test can reach Herald's handler on a plain
// loopback URL and send a wrong secret.
func (s *Server) PostWebhook(ctx context.Context, url, secretToken string) ([]int, error) {
	var statuses []int
	for {
		s.mu.Lock()
		if len(s.bot.updates) == 0 {
			s.mu.Unlock()
			return statuses, nil
		}
		u := s.bot.updates[0]
		s.mu.Unlock()
		body, err := json.Marshal(map[string]any{"update_id": u.id, u.kind: u.obj})
		if err != nil {
			return statuses, err
		}
		status, err := postUpdate(ctx, url, secretToken, body)
		if err != nil {
			return statuses, err
		}
		statuses = append(statuses, status)
		if status < 200 || status > 299 {
			return statuses, nil
		}
		s.mu.Lock()
		s.bot.updates = removeUpdate(s.bot.updates, u.id)
		s.mu.Unlock()
	}
}

// PostUpdate posts one update, raw JSON as a test writes it (a forged or
// malformed one), to url with secretToken, and returns the status; the
// queue is not touched.
func PostUpdate(ctx context.Context, url, secretToken string, raw []byte) (int, error) {
	return postUpdate(ctx, url, secretToken, raw)
}

// noRedirects is Telegram's webhook client: a redirect is an answer.
var noRedirects = &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}

func postUpdate(ctx context.Context, url, secretToken string, body []byte) (int, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, url, bytes.NewReader(body))
	if err != nil {
		return 0, err
	}
	req.Header.Set("Content-Type", "application/json")
	if secretToken != "" {
		req.Header.Set(SecretTokenHeader, secretToken)
	}
	resp, err := noRedirects.Do(req)
	if err != nil {
		return 0, err
	}
	defer resp.Body.Close()
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 1<<20))
	return resp.StatusCode, nil
}

// removeUpdate drops the update id from ups.
func removeUpdate(ups []update, id int64) []update {
	for i, u := range ups {
		if u.id == id {
			return append(ups[:i:i], ups[i+1:]...)
		}
	}
	return ups
}
