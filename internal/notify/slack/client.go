package slack

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"

	"github.com/heraldhq/herald/internal/notify"
)

// requestTimeout bounds one HTTP request; the dispatcher's attempt
// deadline (delivery.timeout) usually ends it sooner.
const requestTimeout = 30 * time.Second

// client reaches Slack for one incoming webhook or one bot token: its HTTP
// client, the secrets to keep out of errors and the rate limiter that every
// channel using the same webhook or token shares. It is safe for
// concurrent use.
type client struct {
	http    *http.Client
	limiter *notify.Limiter
	rates   rates
	// webhookURL is set for an incoming webhook; token and apiURL for a bot.
	webhookURL    string
	token, apiURL string
	// secrets are redacted from every error: the webhook URL (its path is
	// the credential) or the token.
	secrets []string
	// noImage holds the channels already told that their charts cannot go
	// by URL, so that the log says it once per channel, also across
	// reloads (clients outlive them).
	noImage sync.Map
}

// newHTTPClient is the HTTP client of one webhook or token. Redirects are
// not followed: a webhook URL is a credential, and Slack never redirects.
func newHTTPClient() *http.Client {
	return &http.Client{
		Transport:     http.DefaultTransport.(*http.Transport).Clone(),
		Timeout:       requestTimeout,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}
}

// newWebhookClient makes the client of an incoming webhook URL.
func newWebhookClient(webhookURL string, r rates) (*client, error) {
	u, err := url.Parse(webhookURL)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil, errors.New("slack: webhook_url must be an absolute http or https URL")
	}
	secrets := []string{webhookURL}
	if p := strings.Trim(u.EscapedPath(), "/"); p != "" {
		secrets = append(secrets, p)
	}
	return &client{http: newHTTPClient(), limiter: notify.NewLimiter(notify.Rate{}), rates: r,
		webhookURL: webhookURL, secrets: secrets}, nil
}

// newBotClient makes the client of a bot token and Web API base URL.
func newBotClient(token, apiURL string, r rates) (*client, error) {
	if token == "" {
		return nil, errors.New("slack: bot_token is empty")
	}
	if strings.ContainsAny(token, " \r\n") {
		return nil, errors.New("slack: bot_token contains blanks (want the token as Slack shows it, xoxb-…)")
	}
	u, err := url.Parse(apiURL)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil, errors.New("slack: api_url must be an absolute http or https URL")
	}
	secrets := []string{token}
	if u.User != nil {
		secrets = append(secrets, u.User.String())
	}
	return &client{http: newHTTPClient(), limiter: notify.NewLimiter(notify.Rate{}), rates: r,
		token: token, apiURL: strings.TrimRight(apiURL, "/"), secrets: secrets}, nil
}

// clientKey names a client in a notify.Shared, which the app keeps across
// reloads, so that channels (and configurations after a reload) sharing a
// webhook URL or bot token share its rate limiter: Slack counts per
// webhook, per token and per channel, not per Herald channel.
type clientKey struct{ webhookURL, token, apiURL string }

// tokenKey names the one rate limiter of a bot token, whatever the API URL.
type tokenKey string

// sharedClient returns the client for key held by s, made by mk on first
// use.
func sharedClient(s *notify.Shared, key clientKey, mk func() (*client, error)) (*client, error) {
	return notify.Share(s, key, func() (*client, error) {
		c, err := mk()
		if err != nil || key.token == "" {
			return c, err
		}
		c.limiter, err = notify.Share(s, tokenKey(key.token), func() (*notify.Limiter, error) { return c.limiter, nil })
		return c, err
	})
}

// acquire blocks until one more request under key is within rate and
// takes its place; the caller releases it once Slack answered, so that a
// window counts the request until a window after that (see notify.Rate).
// It refuses with a *notify.ThrottledError when the wait would outlast ctx.
func (c *client) acquire(ctx context.Context, key string, rate notify.Rate) (release func(), err error) {
	release, err = c.limiter.Acquire(ctx, key, rate)
	if err != nil {
		return nil, fmt.Errorf("slack: waiting for the rate limit (%s): %w", key, err)
	}
	return release, nil
}

// fits refuses, before anything is sent, a message of n requests under
// key that Herald's own rate limit would cut before ctx ends: a half-sent
// message (its text without its chart) is worse than one sent a little
// later. A message that could not go out whole in one attempt even with
// no other traffic is sent anyway, request by request, rather than never.
func (c *client) fits(ctx context.Context, key string, n int) error {
	dl, ok := ctx.Deadline()
	if n < 2 || !ok {
		return nil // one request waits for its own turn
	}
	d := c.limiter.Delay(key, n, c.rates.perChannel)
	idle := time.Duration(n-max(c.rates.perChannel.Burst, 1)) * c.rates.perChannel.Per / time.Duration(max(c.rates.perChannel.Events, 1))
	if !time.Now().Add(d).After(dl) || idle >= time.Until(dl) {
		return nil
	}
	return &notify.ThrottledError{Wait: d}
}

// redact removes the client's secrets from err.
// client is hc, a channel's client (its http_config), or the shared
// one when hc is nil.
func (c *client) client(hc *http.Client) *http.Client {
	if hc != nil {
		return hc
	}
	return c.http
}

func (c *client) redact(err error) error { return notify.Redact(err, c.secrets...) }

// channelKey is the limiter key of a Slack channel.
func channelKey(channel string) string { return "channel:" + channel }

// webhookKey is the limiter key of an incoming webhook (it posts to one
// channel).
const webhookKey = "webhook"
