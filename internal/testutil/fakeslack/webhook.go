package fakeslack

import (
	"encoding/json"
	"io"
	"mime"
	"net/http"
	"net/url"
	"strings"
	"time"
)

// webhookCall names incoming webhooks in Stats.Calls and failure plans.
const webhookCall = "webhook"

// webhookStatus is the HTTP status Slack gives each webhook error code
// (https://api.slack.com/changelog/2016-05-17-changes-to-errors-for-incoming-webhooks,
// https://docs.slack.dev/messaging/sending-messages-using-incoming-webhooks).
var webhookStatus = map[string]int{
	"invalid_payload": 400, "user_not_found": 400, "invalid_blocks": 400, "no_text": 400, "msg_too_long": 400,
	"action_prohibited": 403, "invalid_token": 403, "posting_to_general_channel_denied": 403,
	"channel_not_found": 404, "no_service": 404,
	"channel_is_archived": 410,
	"rollup_error":        500,
}

// serveWebhook answers a post to the incoming webhook: "ok", or an error
// code in plain text with its status.
func (s *Server) serveWebhook(w http.ResponseWriter, r *http.Request) {
	if r.URL.Path != s.webhookPath {
		s.replyWebhook(w, "no_service", 0)
		return
	}
	if f, code := s.plannedFailure(webhookCall); f != nil {
		s.faults.Inject(w, r, f)
		return
	} else if code != "" {
		s.replyWebhook(w, code, 0)
		return
	}
	p, code := readWebhook(r)
	if code != "" {
		s.replyWebhook(w, code, 0)
		return
	}
	if units(p.Text) > MaxMessageText {
		s.replyWebhook(w, "msg_too_long", 0)
		return
	}
	m, problems := parseMessage(p.Text, p.Blocks)
	if len(problems) > 0 {
		s.replyWebhook(w, "invalid_blocks", 0)
		return
	}
	m.UnfurlLinks, m.UnfurlMedia = p.UnfurlLinks, p.UnfurlMedia
	now := time.Now()
	s.mu.Lock()
	c, ok := s.channels[s.hookChannel]
	switch {
	case !ok:
		s.mu.Unlock()
		s.replyWebhook(w, "channel_not_found", 0)
		return
	case c.Archived:
		s.mu.Unlock()
		s.replyWebhook(w, "channel_is_archived", 0)
		return
	}
	if wait := s.limits.allow(channelKey(webhookCall), now); wait > 0 {
		s.mu.Unlock()
		s.replyWebhook(w, "rate_limited", wait)
		return
	}
	m.Channel, m.Webhook = c.ID, true
	s.store(m, now)
	s.mu.Unlock()
	s.replyWebhook(w, "", 0)
}

// webhookPost is what an incoming webhook reads of a post.
type webhookPost struct {
	Text        string          `json:"text"`
	Blocks      json.RawMessage `json:"blocks"`
	UnfurlLinks *bool           `json:"unfurl_links"`
	UnfurlMedia *bool           `json:"unfurl_media"`
}

// readWebhook reads a webhook post: JSON, or a form with a payload field
// holding JSON, as Slack takes both. It returns an error code when Slack
// would refuse the post.
func readWebhook(r *http.Request) (*webhookPost, string) {
	body, err := io.ReadAll(io.LimitReader(r.Body, maxBody))
	if err != nil {
		return nil, "invalid_payload"
	}
	mt, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if mt == "application/x-www-form-urlencoded" {
		v, err := url.ParseQuery(string(body))
		if err != nil {
			return nil, "invalid_payload"
		}
		body = []byte(v.Get("payload"))
	} else if mt != "application/json" {
		return nil, "invalid_payload"
	}
	var p webhookPost
	if err := json.Unmarshal(body, &p); err != nil {
		return nil, "invalid_payload"
	}
	if strings.TrimSpace(p.Text) == "" && len(p.Blocks) == 0 {
		return nil, "no_text"
	}
	return &p, ""
}

// replyWebhook writes a webhook answer: "ok" when code is "", else code
// with its status (429 with Retry-After when wait is set).
func (s *Server) replyWebhook(w http.ResponseWriter, code string, wait time.Duration) {
	var aerr *apiError
	if code != "" {
		aerr = &apiError{code: code, status: webhookStatus[code], retry: wait}
		if wait > 0 {
			aerr.status = http.StatusTooManyRequests
		}
		if aerr.status == 0 {
			aerr.status = http.StatusBadRequest
		}
	}
	s.count(webhookCall, aerr)
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	if aerr == nil {
		_, _ = io.WriteString(w, "ok")
		return
	}
	if wait > 0 {
		w.Header().Set("Retry-After", retryAfter(wait))
	}
	w.WriteHeader(aerr.status)
	_, _ = io.WriteString(w, code)
}
