package slack

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"regexp"
	"strings"

	"github.com/heraldhq/herald/internal/alert"
	"github.com/heraldhq/herald/internal/notify"
)

// webhookMethod names incoming webhooks in errors.
const webhookMethod = "incoming webhook"

// errorCode matches the plain-text error codes of incoming webhooks
// (invalid_blocks, channel_not_found…), as opposed to a proxy's page.
var errorCode = regexp.MustCompile(`^[a-z][a-z0-9_]{1,63}$`)

// webhookPayload is what an incoming webhook takes: the blocks and the
// text notifications show. Incoming webhooks of Slack apps post to the
// channel chosen when the webhook was created; they ignore a channel field.
type webhookPayload struct {
	Text        string  `json:"text"`
	Blocks      []block `json:"blocks"`
	UnfurlLinks bool    `json:"unfurl_links"`
	UnfurlMedia bool    `json:"unfurl_media"`
}

// postWebhook sends one message to the incoming webhook, after waiting for
// its rate limit. Incoming webhooks answer "ok" with HTTP 200, and their
// errors as a code in plain text with a 4xx status: 400 invalid_payload,
// invalid_blocks, no_text; 403 action_prohibited, invalid_token; 404
// channel_not_found, no_service; 410 channel_is_archived; 429 with
// Retry-After when too fast; 500 rollup_error
// (https://docs.slack.dev/messaging/sending-messages-using-incoming-webhooks#handling_errors,
// https://api.slack.com/changelog/2016-05-17-changes-to-errors-for-incoming-webhooks).
func (c *client) postWebhook(ctx context.Context, hc *http.Client, p *webhookPayload) (bool, error) {
	body, err := json.Marshal(p)
	if err != nil {
		return false, fmt.Errorf("slack %s: %w", webhookMethod, err)
	}
	release, err := c.acquire(ctx, webhookKey, c.rates.perChannel)
	if err != nil {
		return true, err
	}
	defer release()
	r := &notify.Request{Op: "slack " + webhookMethod, Client: hc, URL: c.webhookURL, Body: body,
		ContentType: "application/json; charset=utf-8", MaxResponse: maxResponse, Secrets: c.secrets,
		Check: func(resp *http.Response, body []byte, retry bool, err error) (bool, error) {
			return checkWebhook(resp, body, retry, err, c.secrets)
		}}
	_, _, retry, err := r.Do(ctx)
	return retry, err
}

// checkWebhook classifies an incoming webhook's answer after the shared
// classifier gave retry and herr, keeping secrets out of the quoted body.
func checkWebhook(resp *http.Response, body []byte, retry bool, herr error, secrets []string) (bool, error) {
	text := strings.TrimSpace(string(body))
	switch {
	case herr == nil && text == "ok":
		return false, nil
	case herr == nil:
		// Not Slack's answer (a captive portal, a proxy): nothing was
		// posted, another attempt may get through.
		return true, fmt.Errorf("HTTP %d without Slack's answer: %q", resp.StatusCode, notify.Excerpt(text, 200, secrets))
	case !errorCode.MatchString(text):
		return retry, herr
	}
	return classify(&APIError{Method: webhookMethod, Code: text, Status: resp.StatusCode, Err: herr}, resp.Header, retry)
}

// notifyWebhook posts m to the incoming webhook, with its chart by URL.
func (n *Notifier) notifyWebhook(ctx context.Context, m *notify.Message, c *content) ([]notify.Ref, bool, error) {
	if m.SentParts > 0 {
		return nil, false, nil // a webhook message is one part, already sent
	}
	p := &webhookPayload{Text: c.fallback, Blocks: buildBlocks(c, n.webhookImage(m))}
	if retry, err := n.client.postWebhook(ctx, n.http, p); err != nil {
		return nil, retry, err
	}
	return []notify.Ref{{Part: 0, Folded: m.Folded}}, false, nil
}

// webhookImage is the chart of m as an image by URL, or nil. Without a URL
// (Herald has no external_url) Slack has nowhere to fetch it from: the
// message goes without it, and the log says so once per channel.
func (n *Notifier) webhookImage(m *notify.Message) *image {
	if m.Image == nil || m.Folded || m.Kind == alert.KindReminder {
		return nil
	}
	switch u := m.Image.URL; {
	case u == "":
		n.client.warnings.Once(n.logger, n.name, "charts cannot go to a Slack incoming webhook without a URL to fetch them from; set external_url (and make it reachable from Slack), or use a bot token to upload them")
		return nil
	case !validURL(u, MaxImageURL):
		n.logger.Warn("sending the message without its chart: the chart URL is not an absolute http(s) URL of at most 3000 characters")
		return nil
	default:
		return &image{url: u, alt: m.Image.Alt}
	}
}
