package slack

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"strings"
	"time"

	"github.com/heraldhq/herald/internal/notify"
)

// requestTimeout bounds one HTTP request; the dispatcher's attempt
// deadline (delivery.timeout) usually ends it sooner.
const requestTimeout = 30 * time.Second

// client is what the channels of one incoming webhook or one bot token
// share: the rate limiter (Slack counts per webhook, per token and per
// channel, not per Herald channel), the secrets to keep out of errors and
// the warnings already given. It sends nothing itself: every request goes
// with the HTTP client of the channel that makes it (its http_config). It
// is safe for concurrent use.
type client struct {
	limiter *notify.Limiter
	rates   rates
	// webhookURL is set for an incoming webhook; token and apiURL for a bot.
	webhookURL    string
	token, apiURL string
	// secrets are redacted from every error: the webhook URL (its path is
	// the credential) or the token.
	secrets []string
	// warnings are given once per channel (charts that cannot go by URL),
	// also across reloads: clients outlive them.
	warnings notify.Warnings
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
	return &client{limiter: notify.NewLimiter(), rates: r, webhookURL: webhookURL, secrets: secrets}, nil
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
	return &client{limiter: notify.NewLimiter(), rates: r, token: token, apiURL: strings.TrimRight(apiURL, "/"), secrets: secrets}, nil
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

// fits refuses, before anything is sent, a message of n posts to the
// channel of key that Herald's own pace would cut before ctx ends (see
// notify.Fits).
func (c *client) fits(ctx context.Context, key string, n int) error {
	pace := c.rates.perChannel
	return notify.Fits(ctx, n, c.limiter.Delay(key, n, pace), notify.IdleDelay(n, pace))
}

// channelKey is the limiter key of a Slack channel.
func channelKey(channel string) string { return "channel:" + channel }

// webhookKey is the limiter key of an incoming webhook (it posts to one
// channel).
const webhookKey = "webhook"
