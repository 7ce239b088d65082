package config

import (
	"errors"
	"net"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/jackc/pgx/v5/pgconn"
)

// validate checks c after decoding and completes what depends on other
// fields (the console channel, the default channel, parsed matchers,
// absolute template patterns). A field that already failed to decode is not
// checked again, so each mistake is reported once.
func (l *loader) validate(c *Config) {
	l.checkListenAddress(c.ListenAddress)
	if c.ExternalURL != "" && !l.hasFailed("external_url") {
		if err := checkHTTPURL(c.ExternalURL); err != nil {
			l.fieldErrorf("external_url", "%v", err)
		}
	}
	if c.DataDir == "" && c.Storage.DSN == "" {
		l.fieldErrorf("data_dir", "must not be empty")
	}
	l.checkStorage(&c.Storage)
	l.checkPrometheus(&c.Prometheus)
	l.checkGrafana(&c.Grafana)
	l.checkGrafanaURL("grafana.url", c.Grafana.URL)
	l.checkGraph(c)
	l.checkWebhook(&c.Webhook)
	l.checkBot("telegram", &c.Telegram)
	l.checkBotSettings(c)
	l.checkAlertmanager(&c.Alertmanager)
	l.checkCharts(c)
	l.checkCollectors(&c.Collectors)
	l.checkDelivery(&c.Delivery)
	l.checkChannels(c)
	l.checkRoutes(c)
	l.checkDefaultChannel(c)
	l.checkTemplates(c)
	l.checkImages(&c.Images)
	l.checkHTTPConfigs(c)
}

func (l *loader) checkListenAddress(addr string) {
	const field = "listen_address"
	if l.hasFailed(field) {
		return
	}
	_, port, err := net.SplitHostPort(addr)
	if err != nil {
		var ae *net.AddrError
		if errors.As(err, &ae) {
			err = errors.New(ae.Err)
		}
		l.fieldErrorf(field, "invalid address %q: %v (want host:port, e.g. \":9096\")", addr, err)
		return
	}
	if n, err := strconv.Atoi(port); err != nil || n < 0 || n > 65535 {
		l.fieldErrorf(field, "invalid port %q in %q", port, addr)
	}
}

func (l *loader) checkStorage(s *StorageConfig) {
	switch {
	case l.hasFailed("storage.driver"):
	case s.Driver == "sqlite":
	case s.Driver == "postgres":
		switch {
		case s.DSN == "" && !l.hasFailed("storage.dsn"):
			l.fieldErrorf("storage.dsn", "the postgres driver needs storage.dsn or storage.dsn_file "+
				"(postgres://user:password@host:5432/herald?sslmode=require)")
		case s.DSN != "":
			// The DSN holds a password: say what is wrong, never quote it.
			if _, err := pgconn.ParseConfig(string(s.DSN)); err != nil {
				l.fieldErrorf("storage.dsn", "not a PostgreSQL DSN (want postgres://user:password@host:5432/herald "+
					"or host=… dbname=… key=value pairs)")
			}
		}
	default:
		l.fieldErrorf("storage.driver", "unknown driver %q (want sqlite or postgres)", s.Driver)
	}
	if s.LeaseDuration != 0 && s.LeaseDuration < Duration(2*time.Second) && !l.hasFailed("storage.lease_duration") {
		l.fieldErrorf("storage.lease_duration", "must be at least 2s")
	}
	if !l.hasFailed("storage.synchronous") {
		switch v := strings.ToUpper(s.Synchronous); v {
		case "FULL", "NORMAL", "EXTRA", "OFF":
			s.Synchronous = v
		default:
			l.fieldErrorf("storage.synchronous", "invalid value %q (want FULL, NORMAL, EXTRA or OFF)", s.Synchronous)
		}
	}
	l.positive("storage.busy_timeout", s.BusyTimeout)
	if s.Retention != 0 && s.Retention < Duration(time.Hour) && !l.hasFailed("storage.retention") {
		l.fieldErrorf("storage.retention", "must be at least 1h, or 0 to keep everything")
	}
}

func (l *loader) checkWebhook(w *WebhookConfig) {
	if w.MaxBodySize <= 0 && !l.hasFailed("webhook.max_body_size") {
		l.fieldErrorf("webhook.max_body_size", "must be greater than 0")
	}
	l.checkClientAuth("webhook", w.BasicAuth, w.BearerToken != "" || w.BearerTokenFile != "", "bearer_token")
}

// checkBot checks the top-level bot: its URLs, timeout and rate limits.
// Its http_config, proxy_url included, is checked with every other one
// (checkHTTPConfigs).
func (l *loader) checkBot(prefix string, t *TelegramConfig) {
	l.checkBotToken(prefix+".bot_token", t.BotToken)
	l.checkBotURLs(prefix, t)
	if t.HTTP.FollowRedirects && !l.hasFailed(prefix+".follow_redirects") {
		l.fieldErrorf(prefix+".follow_redirects", "not supported: the bot token is in the URL path, so Herald never follows a redirect (the Bot API does not send any)")
	}
	l.positive(prefix+".timeout", t.Timeout)
	rl := prefix + ".rate_limits"
	if t.RateLimits.PerChat <= 0 && !l.hasFailed(rl+".per_chat") {
		l.fieldErrorf(rl+".per_chat", "must be greater than 0")
	}
	if t.RateLimits.PerGroupPerMinute <= 0 && !l.hasFailed(rl+".per_group_per_minute") {
		l.fieldErrorf(rl+".per_group_per_minute", "must be greater than 0")
	}
	if t.RateLimits.Global <= 0 && !l.hasFailed(rl+".global") {
		l.fieldErrorf(rl+".global", "must be greater than 0")
	}
}

// checkBotURLs checks the bot's api_url (empty is allowed: the default
// applies) and its proxy_urls: each a proxy Herald can dial, once, and
// the list instead of the http_config's other ways to choose a proxy.
// Errors never quote a URL: it may carry a password.
func (l *loader) checkBotURLs(prefix string, t *TelegramConfig) {
	if t.APIURL != "" && !l.hasFailed(prefix+".api_url") {
		if err := checkHTTPURL(t.APIURL); err != nil {
			l.fieldErrorf(prefix+".api_url", "%v", err)
		}
	}
	field := prefix + ".proxy_urls"
	if len(t.ProxyURLs) == 0 || l.hasFailed(field) {
		return
	}
	switch {
	case t.HTTP.ProxyURL.URL != nil:
		l.fieldErrorf(field, "cannot be used together with proxy_url (list that proxy in proxy_urls)")
	case t.HTTP.ProxyFromEnvironment:
		l.fieldErrorf(field, "cannot be used together with proxy_from_environment")
	}
	seen := map[string]int{}
	for i, u := range t.ProxyURLs {
		f := indexPath(field, i)
		if l.hasFailed(f) {
			continue
		}
		if u.URL == nil || u.String() == "" {
			l.fieldErrorf(f, "must not be empty")
			continue
		}
		if err := checkProxyURL(u.String()); err != nil {
			l.fieldErrorf(f, "%v", err)
			continue
		}
		// Two accounts on one proxy may be two ways out, so the whole URL.
		key := u.String()
		if j, ok := seen[key]; ok {
			l.fieldErrorf(f, "same proxy as %s", indexPath("proxy_urls", j))
			continue
		}
		seen[key] = i
	}
}

func (l *loader) checkDelivery(d *DeliveryConfig) {
	l.positive("delivery.initial_backoff", d.InitialBackoff)
	l.positive("delivery.max_backoff", d.MaxBackoff)
	l.positive("delivery.max_age", d.MaxAge)
	l.positive("delivery.timeout", d.Timeout)
	if d.MaxBackoff > 0 && d.MaxBackoff < d.InitialBackoff && !l.hasFailed("delivery.max_backoff") {
		l.fieldErrorf("delivery.max_backoff", "must not be less than initial_backoff (%s)", d.InitialBackoff)
	}
	if d.StormThreshold != nil && *d.StormThreshold < 0 {
		l.fieldErrorf("delivery.storm_threshold", "must not be negative (0 disables folding)")
	}
}

// positive reports a duration that must be greater than zero.
func (l *loader) positive(field string, d Duration) {
	if d <= 0 && !l.hasFailed(field) {
		l.fieldErrorf(field, "must be greater than 0")
	}
}

// checkHTTPURL accepts absolute http and https URLs. Errors quote only the
// scheme, never the URL, which may carry credentials.
func checkHTTPURL(s string) error {
	u, err := parseURL(s)
	if err != nil {
		return err
	}
	if u.Scheme != "http" && u.Scheme != "https" {
		return errors.New("must be an absolute http or https URL")
	}
	if u.Host == "" {
		return errors.New("must be an absolute http or https URL (no host)")
	}
	return nil
}

// checkProxyURL accepts the proxy schemes Herald's HTTP client can dial.
func checkProxyURL(s string) error {
	u, err := parseURL(s)
	if err != nil {
		return err
	}
	switch u.Scheme {
	case "http", "https", "socks5", "socks5h":
	default:
		return errors.New("unsupported proxy scheme " + strconv.Quote(u.Scheme) + " (want http, https, socks5 or socks5h)")
	}
	if u.Host == "" {
		return errors.New("proxy URL has no host")
	}
	return nil
}

// parseURL parses s and drops the URL from the error, since url.Parse quotes
// its input, credentials included.
func parseURL(s string) (*url.URL, error) {
	u, err := url.Parse(s)
	if err != nil {
		var ue *url.Error
		if errors.As(err, &ue) {
			err = ue.Err
		}
		return nil, errors.New("invalid URL: " + err.Error())
	}
	return u, nil
}
