package prom

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/prometheus/common/model"

	"github.com/heraldhq/herald/internal/notify"
)

// APIError is an answer that is not a success: an error in Prometheus' own
// format ({"status":"error","errorType":"bad_data",...}) or an HTTP error
// from anything in front of it.
type APIError struct {
	// StatusCode is the HTTP status of the answer.
	StatusCode int
	// Type is Prometheus' errorType (bad_data, timeout, canceled,
	// execution, internal, unavailable, not_found), or server_error,
	// client_error or bad_response when the answer did not carry one.
	Type string
	// Msg is Prometheus' error text, or the start of the body.
	Msg string
}

// Error formats as "bad_data (HTTP 400): parse error ...".
func (e *APIError) Error() string {
	s := e.Type + " (HTTP " + strconv.Itoa(e.StatusCode) + ")"
	if e.Msg != "" {
		s += ": " + e.Msg
	}
	return s
}

// maxDetail is how much of an unexpected body goes into an error: enough
// to tell a proxy's "502 Bad Gateway" page from Prometheus, not a whole
// HTML page in a log line.
const maxDetail = 200

// call sends one API request to /api/v1/<op> and decodes the data of a success into into.
// Queries go as POST forms, because a long expression in a URL exceeds the
// limits of proxies; a server or proxy that refuses POST (403, 405, 501)
// gets the same request as GET, as client_golang does. Both attempts share
// the per-call timeout.
func (c *Client) call(ctx context.Context, op string, post bool, args url.Values, into any) error {
	ctx, cancel := context.WithTimeout(ctx, c.timeout)
	defer cancel()
	u := c.api.URL("/api/v1/"+op, nil)
	if post {
		args.Set("timeout", evalTimeout(ctx, c.timeout))
	}
	resp, body, err := c.send(ctx, u, args, post)
	if err == nil && post && postRefused(resp.StatusCode) {
		resp, body, err = c.send(ctx, u, args, false)
	}
	if err != nil {
		return c.fail(op, err)
	}
	warnings, err := decode(resp.StatusCode, body, into, c.redact.secrets)
	if err != nil {
		return c.fail(op, err)
	}
	if len(warnings) > 0 {
		// The chart is still drawn, but someone debugging an odd chart (a
		// partial answer from Thanos) needs these.
		c.logger.Debug("prometheus answered with warnings", "op", op, "query", args.Get("query"), "warnings", warnings)
	}
	return nil
}

// send makes one request, args in a form body or in the URL.
func (c *Client) send(ctx context.Context, u *url.URL, args url.Values, post bool) (*http.Response, []byte, error) {
	var req *http.Request
	var err error
	if post {
		req, err = http.NewRequestWithContext(ctx, http.MethodPost, u.String(), strings.NewReader(args.Encode()))
		if err == nil {
			req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		}
	} else {
		// Parameters in the configured URL (VictoriaMetrics'
		// extra_label=…) stay next to the call's own.
		q := u.Query()
		for k, vs := range args {
			q[k] = vs
		}
		g := *u
		g.RawQuery = q.Encode()
		req, err = http.NewRequestWithContext(ctx, http.MethodGet, g.String(), nil)
	}
	if err != nil {
		return nil, nil, err
	}
	return c.api.Do(ctx, req)
}

func postRefused(code int) bool {
	return code == http.StatusForbidden || code == http.StatusMethodNotAllowed || code == http.StatusNotImplemented
}

// evalTimeout is the query's own timeout parameter: the time left, so that
// the server stops evaluating a query nobody waits for any more. It is
// written in seconds because Prometheus does not parse fractional Go
// durations ("4.5s").
func evalTimeout(ctx context.Context, fallback time.Duration) string {
	left := fallback
	if d, ok := ctx.Deadline(); ok {
		left = time.Until(d)
	}
	// Zero would mean "the server's default"; the context ends the call.
	return strconv.FormatFloat(max(left.Seconds(), 0.001), 'f', 3, 64)
}

// fail wraps an error with the operation and without secrets.
func (c *Client) fail(op string, err error) error {
	return fmt.Errorf("prometheus %s: %w", op, c.redact.apply(err))
}

// envelope is the wrapper of every Prometheus API answer.
type envelope struct {
	Status    string          `json:"status"`
	Data      json.RawMessage `json:"data"`
	ErrorType string          `json:"errorType"`
	Error     string          `json:"error"`
	Warnings  []string        `json:"warnings"`
}

// decode reads an answer. Prometheus answers errors with 400, 422, 503 and
// others, always with the envelope; a proxy answers with anything, perhaps
// quoting the request, so secrets are kept out of the quoted body.
func decode(code int, body []byte, into any, secrets []string) ([]string, error) {
	var env envelope
	jerr := json.Unmarshal(body, &env)
	switch {
	case jerr == nil && env.Status == "error":
		return env.Warnings, &APIError{StatusCode: code, Type: env.ErrorType, Msg: env.Error}
	case code/100 == 4:
		return nil, &APIError{StatusCode: code, Type: "client_error", Msg: shorten(string(body), secrets)}
	case code/100 != 2:
		return nil, &APIError{StatusCode: code, Type: "server_error", Msg: shorten(string(body), secrets)}
	case jerr != nil:
		return nil, &APIError{StatusCode: code, Type: "bad_response", Msg: "invalid JSON: " + jerr.Error()}
	case env.Status != "success":
		return nil, &APIError{StatusCode: code, Type: "bad_response", Msg: fmt.Sprintf("unexpected status %q", shorten(env.Status, secrets))}
	}
	if err := json.Unmarshal(env.Data, into); err != nil {
		return nil, &APIError{StatusCode: code, Type: "bad_response", Msg: "cannot decode data: " + err.Error()}
	}
	return env.Warnings, nil
}

// shorten makes a body fit on one log line. Secrets go before the cut:
// one cut in two would no longer be recognised by the redaction of the
// whole error afterwards.
func shorten(s string, secrets []string) string {
	s = notify.RedactText(s, secrets...)
	return notify.Truncate(strings.Join(strings.Fields(s), " "), maxDetail)
}

// queryResult decodes the data of /query and /query_range into a Matrix.
type queryResult struct{ matrix Matrix }

// wireSeries is one element of a result: "values" in a matrix, "value" in
// a vector. model.SamplePair reads [time, "value"], NaN and ±Inf included.
// Native histogram samples ("histogram(s)") have no single value to draw
// and are left out; a series made only of them comes back without points.
type wireSeries struct {
	Metric map[string]string  `json:"metric"`
	Values []model.SamplePair `json:"values"`
	Value  *model.SamplePair  `json:"value"`
}

// UnmarshalJSON implements json.Unmarshaler.
func (r *queryResult) UnmarshalJSON(b []byte) error {
	var v struct {
		Type   string          `json:"resultType"`
		Result json.RawMessage `json:"result"`
	}
	if err := json.Unmarshal(b, &v); err != nil {
		return err
	}
	switch v.Type {
	case "matrix", "vector":
		var ws []wireSeries
		if err := json.Unmarshal(v.Result, &ws); err != nil {
			return err
		}
		r.matrix = make(Matrix, 0, len(ws))
		for _, w := range ws {
			s := Series{Labels: nonNil(w.Metric), Points: make([]Point, 0, len(w.Values))}
			for _, p := range w.Values {
				s.Points = append(s.Points, point(p))
			}
			if w.Value != nil {
				s.Points = append(s.Points, point(*w.Value))
			}
			if v.Type == "vector" && len(s.Points) == 0 {
				continue // a histogram sample
			}
			r.matrix = append(r.matrix, s)
		}
	case "scalar":
		var p model.SamplePair
		if err := json.Unmarshal(v.Result, &p); err != nil {
			return err
		}
		r.matrix = Matrix{{Labels: map[string]string{}, Points: []Point{point(p)}}}
	default:
		return fmt.Errorf("unsupported result type %q", v.Type)
	}
	return nil
}

func point(p model.SamplePair) Point {
	return Point{T: p.Timestamp.Time().UTC(), V: float64(p.Value)}
}

// rulesResult is the data of /api/v1/rules.
type rulesResult struct {
	Groups []struct {
		Name  string `json:"name"`
		Rules []struct {
			Type        string            `json:"type"`
			Name        string            `json:"name"`
			Query       string            `json:"query"`
			Duration    float64           `json:"duration"`
			Labels      map[string]string `json:"labels"`
			Annotations map[string]string `json:"annotations"`
		} `json:"rules"`
	} `json:"groups"`
}
