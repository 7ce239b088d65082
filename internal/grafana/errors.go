package grafana

import (
	"errors"
	"fmt"
	"net/http"
	"strings"

	"github.com/heraldhq/herald/internal/notify"
)

// Reasons of an *Error: few and fixed, so that they can label a metric
// (herald_graph_failures_total{reason}).
const (
	// ReasonAuth: Grafana refused the credentials (401, 403, or a
	// redirect to its login page).
	ReasonAuth = "grafana_auth"
	// ReasonNotFound: no such dashboard, or no such page (404): a wrong
	// url or sub-path.
	ReasonNotFound = "grafana_not_found"
	// ReasonNoRenderer: Grafana has no image renderer, or answered a
	// render with something else than the panel, as it does without one.
	ReasonNoRenderer = "grafana_no_renderer"
	// ReasonHTTP: any other error status.
	ReasonHTTP = "grafana_http"
	// ReasonBadAnswer: an answer that cannot be used (too large, unreadable).
	ReasonBadAnswer = "grafana_bad_answer"
	// ReasonTimeout: no answer before the deadline.
	ReasonTimeout = "grafana_timeout"
	// ReasonUnreachable: no answer at all (DNS, connection refused, reset).
	ReasonUnreachable = "grafana_unreachable"
)

// Sentinels that errors.Is finds in an *Error of the matching Reason, so
// that a caller (the bot) can tell the user what is wrong.
var (
	// ErrNoRenderer: Grafana cannot render panels. Grafana 13 removed the
	// grafana-image-renderer plugin: it needs the remote renderer service
	// ([rendering] server_url and callback_url).
	ErrNoRenderer = errors.New("grafana has no image renderer")
	// ErrNotFound: no such dashboard (or a wrong grafana.url).
	ErrNotFound = errors.New("grafana: not found")
	// ErrAuth: Grafana refused the credentials.
	ErrAuth = errors.New("grafana refused the credentials")
	// ErrTimeout: no answer before the deadline, or Grafana's renderer
	// gave up within the time Herald gave it.
	ErrTimeout = errors.New("grafana timed out")
)

// Error is a failed call to Grafana. Its text never holds a secret. The
// client never retries: the caller has a deadline and decides.
type Error struct {
	// Reason is one of the Reason constants.
	Reason string
	// StatusCode is Grafana's HTTP status, 0 when there was no answer.
	StatusCode int
	// Permanent is set when another attempt cannot succeed before the
	// configuration changes (credentials, URL, the renderer plugin).
	Permanent bool

	text string
	err  error
}

// Error reads like "grafana render dashboard x panel 1: <cause>".
func (e *Error) Error() string { return e.text }

// Unwrap gives the cause, so that errors.Is finds context.DeadlineExceeded.
func (e *Error) Unwrap() error { return e.err }

// Is matches ErrNoRenderer, ErrNotFound, ErrAuth and ErrTimeout by Reason.
func (e *Error) Is(target error) bool {
	switch target {
	case ErrTimeout:
		return e.Reason == ReasonTimeout
	case ErrNoRenderer:
		return e.Reason == ReasonNoRenderer
	case ErrNotFound:
		return e.Reason == ReasonNotFound
	case ErrAuth:
		return e.Reason == ReasonAuth
	}
	return false
}

// IsPermanent reports whether err is a Grafana error that retrying cannot
// fix, so that callers can log it once, loudly, instead of per alert.
func IsPermanent(err error) bool {
	e, ok := errors.AsType[*Error](err)
	return ok && e.Permanent
}

// fail completes e with its text, msg and the cause's text, with every
// secret of c replaced: a cause may quote a request or an answer.
func (c *Client) fail(e *Error, msg string, cause error) *Error {
	text := msg
	if cause != nil {
		text += ": " + cause.Error()
	}
	e.text, e.err = notify.RedactText(text, c.secrets...), cause
	return e
}

// statusError classifies a non-2xx answer. body is Grafana's error answer
// (JSON {"message": ...} from the API, its HTML error page from /render),
// quoted shortly for the operator.
func (c *Client) statusError(op string, resp *http.Response, body []byte) *Error {
	code := resp.StatusCode
	e := &Error{StatusCode: code, Reason: ReasonHTTP}
	hint := ""
	switch {
	case code == http.StatusUnauthorized || code == http.StatusForbidden:
		e.Reason, e.Permanent = ReasonAuth, true
		hint = " (check grafana.api_token: a service account token with the Viewer role, or basic_auth, and grafana.org_id)"
	case code/100 == 3:
		e.Reason, e.Permanent = ReasonAuth, true
		hint = fmt.Sprintf(" (redirect to %q: Grafana wants a login; check grafana.api_token or basic_auth)", redirectPath(resp))
	case code == http.StatusNotFound:
		e.Reason, e.Permanent = ReasonNotFound, true
		if grafanaMessage(body) == "" {
			// Grafana's API names what it did not find ("Dashboard not
			// found"); anything else is a wrong path to Grafana.
			hint = " (check grafana.url, with Grafana's sub-path if it has one)"
		}
	case code == http.StatusInternalServerError && strings.Contains(string(body), "timeout error"):
		// The renderer gave up within the "timeout" Herald sent.
		e.Reason = ReasonTimeout
	case code == http.StatusTooManyRequests || code/100 == 5:
		// A busy or broken Grafana may do better for the next alert.
	default:
		e.Permanent = true
	}
	msg := fmt.Sprintf("grafana %s: HTTP %d%s", op, code, hint)
	// Secrets go before quote's cut: one cut in two would no longer be
	// recognised by fail.
	if q := c.quote(resp.Header.Get("Content-Type"), body); q != "" {
		msg += ": " + q
	}
	return c.fail(e, msg, nil)
}

// quote is the start of what can be read of an answer, without secrets.
func (c *Client) quote(contentType string, body []byte) string {
	return quote([]byte(notify.RedactText(string(readable(contentType, body)), c.secrets...)))
}

// redirectPath is the path a redirect points to, without its query.
func redirectPath(resp *http.Response) string {
	loc, err := resp.Location()
	if err != nil {
		return ""
	}
	return loc.Path
}
