// Package grafana is a client of the Grafana HTTP API for what Herald
// needs from it: panels rendered to PNG through the image renderer, and,
// for the bot, dashboards found by name and their panels listed.
// Rendering is read-only: a template dashboard takes the query, title and
// threshold from variables in the render URL, so that concurrent alerts
// never race on a shared dashboard (the seeds rewrote one per render and
// drew the wrong chart when two alerts came at once).
package grafana

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/heraldhq/herald/internal/config"
	"github.com/heraldhq/herald/internal/httpconf"
)

// defaultTimeout bounds one call when the config gives none: the image
// renderer drives a browser and takes seconds per panel.
const defaultTimeout = 30 * time.Second

// Client calls one Grafana server as one identity (a service account token
// or a user). It is safe for concurrent use and holds no state between
// calls.
type Client struct {
	base   *url.URL
	client *http.Client
	orgID  int
	// authorization is the Authorization header value; never printed.
	authorization string
	// secrets are redacted from every error text.
	secrets []string
	logger  *slog.Logger
}

// New makes a client of cfg.URL (Grafana's root URL, sub-path included
// when Grafana is served from one). It authenticates with cfg.APIToken as
// a Bearer token (a service account token; the Viewer role is enough to
// render) or with cfg.BasicAuth, and selects cfg.OrgID (default 1). Secrets
// are taken as config.Load resolved them; a *_file that was not loaded yet
// is read here, so that a client built in code works too.
func New(cfg config.GrafanaConfig, logger *slog.Logger) (*Client, error) {
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	u, err := url.Parse(strings.TrimRight(cfg.URL, "/"))
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil, errors.New("grafana: url must be an absolute http or https URL")
	}
	if u.User != nil || u.RawQuery != "" || u.Fragment != "" {
		// Credentials in the URL would be printed wherever the URL is.
		return nil, errors.New("grafana: url must not contain credentials, a query or a fragment (use api_token or basic_auth)")
	}
	c := &Client{base: u, orgID: cfg.OrgID, logger: logger}
	if c.orgID <= 0 {
		c.orgID = 1
	}
	token, err := secret(cfg.APIToken, cfg.APITokenFile, "api_token_file")
	if err != nil {
		return nil, err
	}
	if token != "" && cfg.HTTP.SetsAuthorization() {
		return nil, errors.New("grafana: api_token cannot be used together with basic_auth, authorization or oauth2")
	}
	if token != "" {
		c.authorization = "Bearer " + token
		c.secrets = append(c.secrets, token)
	}
	c.secrets = append(c.secrets, httpconf.Secrets(cfg.HTTP)...)
	timeout := cfg.Timeout.D()
	if timeout <= 0 {
		timeout = defaultTimeout
	}
	// Redirects are followed only when http_config says so: Grafana sends
	// a browser without a session to /login; for an API client that means
	// the credentials were refused, and following it would turn the
	// refusal into a confusing HTML page.
	if c.client, err = httpconf.Client(cfg.HTTP, "grafana"); err != nil {
		return nil, fmt.Errorf("grafana: %w", err)
	}
	c.client.Timeout = timeout
	return c, nil
}

// secret returns value, or the trimmed content of file when value is empty.
func secret(value config.Secret, file, field string) (string, error) {
	if value != "" || file == "" {
		return string(value), nil
	}
	b, err := os.ReadFile(file)
	if err != nil {
		// The path is not secret; the content never appears.
		return "", fmt.Errorf("grafana: %s: %w", field, err)
	}
	return strings.TrimSpace(string(b)), nil
}

// get sends an authenticated GET of path?query and returns the answer with
// at most limit bytes of its body read. Errors are *Error, free of secrets.
func (c *Client) get(ctx context.Context, op, path string, query url.Values, accept string, limit int64) (*http.Response, []byte, error) {
	u := *c.base
	u.Path = c.base.Path + path
	u.RawPath = ""
	u.RawQuery = query.Encode()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u.String(), nil)
	if err != nil {
		return nil, nil, c.fail(&Error{Reason: ReasonUnreachable, Permanent: true}, "grafana "+op, err)
	}
	if c.authorization != "" {
		req.Header.Set("Authorization", c.authorization)
	}
	req.Header.Set("X-Grafana-Org-Id", strconv.Itoa(c.orgID))
	req.Header.Set("Accept", accept)
	req.Header.Set("User-Agent", "herald")
	resp, err := c.client.Do(req)
	if err != nil {
		return nil, nil, c.transportError(op, err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, limit+1))
	if err != nil {
		return nil, nil, c.transportError(op, err)
	}
	if int64(len(body)) > limit {
		return nil, nil, c.fail(&Error{Reason: ReasonBadAnswer, StatusCode: resp.StatusCode},
			fmt.Sprintf("grafana %s: answer larger than %d bytes", op, limit), nil)
	}
	return resp, body, nil
}

// getJSON GETs path?query and decodes Grafana's JSON answer into v. A 2xx
// answer that is not JSON is a proxy's or Grafana's HTML page: grafana.url
// is not Grafana's root URL.
func (c *Client) getJSON(ctx context.Context, op, path string, query url.Values, limit int64, v any) error {
	resp, body, err := c.get(ctx, op, path, query, "application/json", limit)
	if err != nil {
		return err
	}
	if resp.StatusCode/100 != 2 {
		return c.statusError(op, resp, body)
	}
	err = json.Unmarshal(body, v)
	switch {
	case err == nil:
		return nil
	case json.Valid(body):
		// Another shape than Grafana's: a Grafana version Herald does not know.
		return c.fail(&Error{Reason: ReasonBadAnswer, StatusCode: resp.StatusCode, Permanent: true},
			"grafana "+op+": unexpected answer", err)
	}
	msg := fmt.Sprintf("grafana %s: the answer is not Grafana's JSON (is grafana.url Grafana's root URL?)", op)
	if q := c.quote(resp.Header.Get("Content-Type"), body); q != "" {
		msg += " It begins: " + q
	}
	return c.fail(&Error{Reason: ReasonBadAnswer, StatusCode: resp.StatusCode, Permanent: true}, msg, nil)
}

// transportError classifies a failure to get an answer. The URL (which
// holds the query, not a secret, but long) is left out of the text.
func (c *Client) transportError(op string, err error) error {
	if ue, ok := errors.AsType[*url.Error](err); ok {
		err = ue.Err
	}
	reason := ReasonUnreachable
	if ne, ok := errors.AsType[net.Error](err); errors.Is(err, context.DeadlineExceeded) || (ok && ne.Timeout()) {
		reason = ReasonTimeout
	}
	return c.fail(&Error{Reason: reason}, "grafana "+op, err)
}

// String names the client without its credentials, so that %v of a
// Client (in a log line or a panic) cannot leak them. Value receivers cover
// *Client and Client.
func (c Client) String() string { return "grafana at " + c.base.String() }

// GoString hides the credentials from %#v as String does from %v.
func (c Client) GoString() string { return c.String() }

// LogValue hides the credentials from log/slog.
func (c Client) LogValue() slog.Value { return slog.StringValue(c.String()) }
