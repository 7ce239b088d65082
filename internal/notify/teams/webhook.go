package teams

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/heraldhq/herald/internal/notify"
)

// Teams counts the requests of one webhook in fixed windows: "If more than
// four requests are made in a second, the client connection is throttled
// until the window refreshes for the duration of the fixed rate"
// (https://learn.microsoft.com/en-us/microsoftteams/platform/webhooks-and-connectors/how-to/add-incoming-webhook),
// and its "Transactions per second thresholds" table adds 60 requests in 30
// seconds (https://learn.microsoft.com/en-us/microsoftteams/platform/webhooks-and-connectors/how-to/connectors-using#rate-limiting-for-connectors).
// The same table's hourly and daily rows (100 per hour, 1800 per day) were
// written for Office 365 connectors; workflow webhooks run through Power
// Automate, which does not document them, so Herald does not hold alerts
// back for an hour on their account: a storm is folded into few messages
// anyway, and a 429 with Retry-After is honoured by the dispatcher.
const (
	perSecond     = 4
	perHalfMinute = 60
	halfMinute    = 30 * time.Second
)

// safetyMargin stretches each documented window by 5%, for what Herald's
// count cannot see, such as how Teams' servers keep time. Network delays
// need no margin: the limiter counts each request until a window after
// Teams answered it, and Teams counts it when it arrives, which is before
// (see notify.Rate).
const safetyMargin = 0.95

// DefaultRates are the allowances Herald keeps to per webhook URL: at most
// 4 requests in any 1.05 s and 60 in any 31.6 s.
func DefaultRates() []notify.Rate {
	return []notify.Rate{
		{Events: perSecond, Per: stretch(time.Second), Window: true},
		{Events: perHalfMinute, Per: stretch(halfMinute), Window: true},
	}
}

func stretch(d time.Duration) time.Duration { return time.Duration(float64(d) / safetyMargin) }

// limiterKey is the one key of a Webhook's limiter: the limits are per URL
// and each URL has its own Webhook.
const limiterKey = "webhook"

// Webhook is one Teams workflow (or legacy incoming) webhook URL and the
// rate limiter that every channel using the URL shares. Each channel posts
// with its own client, built from its http_config. It is safe for
// concurrent use.
type Webhook struct {
	url  string
	host string
	// timeout bounds one request of a channel's client.
	timeout time.Duration
	limiter *notify.Limiter
	rates   []notify.Rate
	// secrets are redacted from every error: the sig query parameter of a
	// workflow URL and the path of a legacy connector URL are credentials.
	secrets []string
	// noImage tells each channel once that its charts cannot be shown,
	// also across reloads (a Webhook outlives them in the app's
	// notify.Shared).
	noImage notify.Warnings
}

// Options tune a Webhook made with NewWebhook; the zero value is Teams'.
type Options struct {
	// Rates replaces DefaultRates(); an empty non-nil slice means no limit
	// (for tests).
	Rates []notify.Rate
	// Timeout bounds one request besides the caller's context (default 60s).
	Timeout time.Duration
}

// NewWebhook makes the Webhook of rawURL, which must be an absolute http(s)
// URL (the config checks it; a Webhook built in code is checked again).
func NewWebhook(rawURL string, opts Options) (*Webhook, error) {
	u, err := url.Parse(rawURL)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil, errors.New("teams: url must be an absolute http or https URL")
	}
	w := &Webhook{url: rawURL, host: u.Scheme + "://" + u.Host, rates: opts.Rates, secrets: secretsOf(u)}
	if w.rates == nil {
		w.rates = DefaultRates()
	}
	w.limiter = notify.NewLimiter(notify.Rate{})
	w.timeout = opts.Timeout
	if w.timeout <= 0 {
		w.timeout = time.Minute
	}
	return w, nil
}

// secretsOf lists the parts of a webhook URL that must never be printed.
func secretsOf(u *url.URL) []string {
	s := []string{u.String()}
	if u.RawQuery != "" {
		s = append(s, u.RawQuery)
	}
	for _, vs := range u.Query() {
		for _, v := range vs {
			// Short values (api-version=2016-06-01, sv=1.0) are not secret
			// and replacing them would garble unrelated text.
			if len(v) >= 12 {
				s = append(s, v, url.QueryEscape(v))
			}
		}
	}
	if len(u.Path) > 1 {
		s = append(s, u.Path)
	}
	if u.User != nil {
		s = append(s, u.User.String())
	}
	return s
}

// String names the webhook by its host only.
func (w *Webhook) String() string { return "teams webhook at " + w.host }

// post waits for the rate limit, posts body with hc (the channel's
// client) and classifies the answer. It returns the workflow run id when
// Power Automate names one. A wait that would outlast ctx returns a
// *notify.ThrottledError before anything is sent (see
// notify.Limiter.Acquire).
func (w *Webhook) post(ctx context.Context, hc *http.Client, body []byte) (string, bool, error) {
	release, err := w.limiter.Acquire(ctx, limiterKey, w.rates...)
	if err != nil {
		return "", true, fmt.Errorf("teams: waiting for the webhook's rate limit: %w", err)
	}
	// Teams counts a request when it arrives: it holds its place in the
	// windows until a window after the answer (see notify.Rate).
	defer release()
	r := notify.Request{Op: "teams post", Client: hc, URL: w.url, Body: body, Secrets: w.secrets,
		Check: func(resp *http.Response, body []byte, _ bool, _ error) (bool, error) {
			// A legacy URL's 200 may hold an error: check classifies
			// the status it names instead.
			return check(resp, body, w.secrets...)
		}}
	header, _, retry, err := r.Do(ctx)
	if err != nil {
		return "", retry, err
	}
	return runID(header), false, nil
}

// record counts posts another process made to the webhook at the times of
// sent (see notify.Limiter.Record).
func (w *Webhook) record(sent []time.Time) { w.limiter.Record(limiterKey, sent, w.rates...) }

// legacyError matches the answer of an Office 365 connector URL that failed
// behind an HTTP 200: "Webhook message delivery failed with error: Microsoft
// Teams endpoint returned HTTP error 429 with ContextId ..."
// (https://github.com/MicrosoftDocs/msteams-docs/issues/402; the connectors
// documentation's retry sample looks for the same text).
var legacyError = regexp.MustCompile(`(?i)Microsoft Teams endpoint returned HTTP error (\d{3})`)

// check classifies an answer with the shared classifier. Workflow webhooks
// answer 202 Accepted with an empty body and errors with their status;
// legacy connector URLs answer 200 "1" on success and may bury an error in
// a 200, whose status is then read from the text. secrets are kept out
// of the quoted body.
func check(resp *http.Response, body []byte, secrets ...string) (bool, error) {
	status := resp.StatusCode
	if status/100 == 2 {
		if m := legacyError.FindSubmatch(body); m != nil {
			status, _ = strconv.Atoi(string(m[1]))
		}
	}
	retry, err := notify.CheckResponse(&http.Response{StatusCode: status, Header: resp.Header}, body, secrets)
	if err == nil {
		return false, nil
	}
	what := "Teams"
	switch {
	case status == http.StatusBadRequest:
		what = "Teams refused the card"
	case status == http.StatusRequestEntityTooLarge:
		what = "Teams refused the card as too large"
	case status == http.StatusUnauthorized || status == http.StatusForbidden || status == http.StatusNotFound:
		what = "Teams refused the webhook URL (was the workflow deleted or turned off?)"
	}
	if status != resp.StatusCode {
		what += fmt.Sprintf(" behind HTTP %d", resp.StatusCode)
	}
	return retry, fmt.Errorf("%s: %w", what, err)
}

// runID is Power Automate's id of the workflow run the post started, kept
// as the message reference so that a run can be found in the flow's
// history.
func runID(header http.Header) string {
	return strings.TrimSpace(header.Get("x-ms-workflow-run-id"))
}

// hookKey keys a Webhook in a notify.Shared, which the app keeps across
// reloads: the rate limit of a URL must outlive the notifiers rebuilt on
// every reload, and channels that post to the same URL must share it.
type hookKey string

// Shared returns the Webhook of rawURL held by s, made on first use with
// Teams' limits and shared by every later caller.
func Shared(s *notify.Shared, rawURL string) (*Webhook, error) {
	return notify.Share(s, hookKey(rawURL), func() (*Webhook, error) { return NewWebhook(rawURL, Options{}) })
}
