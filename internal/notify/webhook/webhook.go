// Package webhook posts Herald's event JSON (see Event) to any HTTP
// endpoint, for receivers Herald has no platform for: a ticketing system, a
// pager, a script. Requests can be signed with HMAC-SHA256 (see Sign and
// Verify) and carry an Idempotency-Key, so that a receiver can check where
// a request comes from and drop repeats. Answers go through the shared
// classifier: 2xx delivered, 429 and 5xx retried, other answers permanent.
package webhook

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"time"

	"golang.org/x/net/http/httpguts"

	"github.com/heraldhq/herald/internal/httpconf"
	"github.com/heraldhq/herald/internal/notify"
)

// Headers Herald sets on every request.
const (
	// IdempotencyKeyHeader carries IdempotencyKey (not on reminders).
	IdempotencyKeyHeader = "Idempotency-Key"
	userAgent            = "Herald-Webhook/" + SchemaVersion
)

// requestTimeout bounds one request when the caller's context has no
// deadline; the dispatcher's delivery timeout is normally shorter.
const requestTimeout = 30 * time.Second

// minSecretPart is the shortest part of the URL (query value, path
// segment) that is redacted from errors on its own: shorter ones are
// words like "api", and the whole URL is redacted anyway.
const minSecretPart = 8

// Notifier posts to one URL. It is safe for concurrent use.
type Notifier struct {
	name    string
	url     string
	headers http.Header
	client  *http.Client
	secrets []string
	logger  *slog.Logger
	// warned says once that charts are left out: without external_url
	// there is no chart link for any message of this channel.
	warned notify.Warnings
}

var _ notify.Notifier = (*Notifier)(nil)

// Option sets an optional behaviour of a Notifier in New.
type Option func(*options)

type options struct {
	now       func() time.Time
	transport http.RoundTripper
}

// WithClock sets the clock of the signature's timestamp (tests).
func WithClock(now func() time.Time) Option { return func(o *options) { o.now = now } }

// WithTransport sets the HTTP transport under the signer (by default
// the one of the section's http_config).
func WithTransport(rt http.RoundTripper) Option { return func(o *options) { o.transport = rt } }

// New makes the notifier of the channel called name. It refuses header
// names or values that cannot be sent, naming the header but never its
// value (values are secrets).
func New(name string, cfg *Config, logger *slog.Logger, opts ...Option) (*Notifier, error) {
	o := options{now: time.Now}
	for _, opt := range opts {
		opt(&o)
	}
	if o.transport == nil {
		rt, err := httpconf.RoundTripper(cfg.HTTPConfig, "webhook")
		if err != nil {
			return nil, fmt.Errorf("webhook channel %s: %w", name, err)
		}
		o.transport = rt
	}
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	u, err := url.Parse(string(cfg.URL))
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil, errors.New("webhook: url must be an absolute http or https URL")
	}
	n := &Notifier{name: name, url: string(cfg.URL), headers: http.Header{}, logger: logger.With("channel", name)}
	n.secrets = urlSecrets(u)
	for _, k := range slices.Sorted(func(yield func(string) bool) {
		for k := range cfg.Headers {
			if !yield(k) {
				return
			}
		}
	}) {
		v := string(cfg.Headers[k])
		if !httpguts.ValidHeaderFieldName(k) {
			return nil, fmt.Errorf("webhook: headers: %q is not a valid header name", k)
		}
		if !httpguts.ValidHeaderFieldValue(v) {
			return nil, fmt.Errorf("webhook: headers: the value of %q cannot be sent (line breaks or control characters)", k)
		}
		n.headers.Set(k, v)
		n.secrets = append(n.secrets, v)
	}
	rt := o.transport
	if cfg.HMACSecret != "" {
		header := cfg.SignatureHeader
		if header == "" {
			header = DefaultSignatureHeader
		}
		if !httpguts.ValidHeaderFieldName(header) {
			return nil, fmt.Errorf("webhook: signature_header %q is not a valid header name", header)
		}
		rt = &signer{next: rt, secret: []byte(cfg.HMACSecret), header: header, now: o.now}
		n.secrets = append(n.secrets, string(cfg.HMACSecret))
	}
	// No redirects (notify.HTTPClient): one would resend the body, and the
	// headers (secrets), to a URL nobody configured; and a 301/302 turns a
	// POST into a GET.
	n.client = notify.HTTPClient(rt, requestTimeout)
	return n, nil
}

// urlSecrets are the parts of u that may be credentials: the whole URL,
// its password, and its long query values and path segments (tokens).
func urlSecrets(u *url.URL) []string {
	out := []string{u.String()}
	if pw, ok := u.User.Password(); ok && pw != "" {
		out = append(out, pw)
	}
	for _, vs := range u.Query() {
		for _, v := range vs {
			if len(v) >= minSecretPart {
				out = append(out, v)
			}
		}
	}
	for _, seg := range strings.Split(u.Path, "/") {
		if len(seg) >= minSecretPart {
			out = append(out, seg)
		}
	}
	return out
}

// Notify posts m's Event. It returns one Ref (part 0) whose MessageID is
// the Idempotency-Key.
func (n *Notifier) Notify(ctx context.Context, m *notify.Message) ([]notify.Ref, bool, error) {
	if m.SentParts > 0 {
		return nil, false, nil // delivered by an earlier attempt
	}
	ev := buildEvent(m)
	if m.Image != nil && m.Image.URL == "" {
		n.warned.Once(n.logger, n.name, "events go without their chart: set external_url so that Herald can serve chart links")
	}
	body, err := encodeEvent(ev)
	if err != nil {
		return nil, false, fmt.Errorf("webhook: encode the event: %w", err)
	}
	key := IdempotencyKey(ev)
	if retry, err := n.post(ctx, body, key); err != nil {
		return nil, retry, err
	}
	n.logger.Debug("delivered", "kind", m.Kind, "alerts", len(ev.Alerts), "idempotency_key", key)
	return []notify.Ref{{Part: 0, MessageID: key, Folded: m.Folded}}, false, nil
}

// encodeEvent is the body of ev: compact JSON without the HTML escaping
// of encoding/json's default (links keep their "&" rather than "\u0026"),
// no trailing newline, so that what a receiver verifies is easy to write
// down.
func encodeEvent(ev *Event) ([]byte, error) {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(ev); err != nil {
		return nil, err
	}
	return bytes.TrimSuffix(b.Bytes(), []byte("\n")), nil
}

// post sends one request and classifies the answer: whether a failure is
// worth retrying, and an error that shows no secret.
func (n *Notifier) post(ctx context.Context, body []byte, key string) (bool, error) {
	h := n.headers.Clone()
	// Herald's own headers win over configured ones of the same name.
	h.Set("Content-Type", "application/json")
	h.Set("User-Agent", userAgent)
	if key != "" {
		h.Set(IdempotencyKeyHeader, key)
	}
	r := notify.Request{Op: "webhook POST", Client: n.client, URL: n.url, Body: body, Header: h, Secrets: n.secrets,
		Check: func(resp *http.Response, _ []byte, retry bool, err error) (bool, error) {
			if err != nil && resp.StatusCode/100 == 3 {
				err = fmt.Errorf("%w (Herald does not follow redirects: configure the URL it redirects to)", err)
			}
			return retry, err
		}}
	_, _, retry, err := r.Do(ctx)
	return retry, err
}

// String names the notifier without its URL, which is a secret.
func (n *Notifier) String() string { return "webhook channel " + n.name }
