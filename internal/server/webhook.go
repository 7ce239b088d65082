package server

import (
	"context"
	"crypto/subtle"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"time"

	"github.com/heraldhq/herald/internal/alert"
	"github.com/heraldhq/herald/internal/config"
	"github.com/heraldhq/herald/internal/store"
)

// receive is the Alertmanager webhook. It answers 200 only once the
// notification is committed; a failure to store answers 503 so that
// Alertmanager retries, never 400.
func (s *Server) receive(w http.ResponseWriter, r *http.Request) {
	start := time.Now()
	st := s.state.Load()
	if !st.auth.allows(r) {
		s.reject(w, http.StatusUnauthorized, "unauthorized", "missing or wrong credentials")
		return
	}
	channel := r.PathValue("channel")
	if channel != "" && !st.router.Has(channel) {
		s.reject(w, http.StatusNotFound, "unknown_channel", fmt.Sprintf("unknown channel %q", channel))
		return
	}
	if mt, _, err := mime.ParseMediaType(r.Header.Get("Content-Type")); err != nil || mt != "application/json" {
		s.reject(w, http.StatusUnsupportedMediaType, "content_type",
			fmt.Sprintf("Content-Type must be application/json, got %q", r.Header.Get("Content-Type")))
		return
	}
	limit := st.maxBody
	body, err := readBody(http.MaxBytesReader(w, r.Body, limit), min(r.ContentLength, limit))
	if err != nil {
		var mbe *http.MaxBytesError
		if errors.As(err, &mbe) {
			s.reject(w, http.StatusRequestEntityTooLarge, "too_large",
				fmt.Sprintf("body larger than webhook.max_body_size (%d bytes)", limit))
			return
		}
		s.reject(w, http.StatusBadRequest, "read_error", "cannot read body: "+err.Error())
		return
	}
	n, err := alert.Decode(body)
	if err != nil {
		s.reject(w, http.StatusBadRequest, "invalid", err.Error())
		return
	}
	in := &store.Ingest{Notification: n, Target: channel, ReceivedAt: start, Targets: make([][]alert.Target, len(n.Alerts))}
	for i := range n.Alerts {
		if channel != "" {
			in.Targets[i] = []alert.Target{st.router.Direct(channel)}
		} else {
			in.Targets[i] = st.router.Targets(n.Alerts[i].Labels)
		}
	}
	res, err := s.opts.Store.Ingest(r.Context(), in)
	if err != nil {
		s.opts.Logger.Error("cannot store a notification; answering 503 so Alertmanager retries",
			"group_key", n.GroupKey, "err", err)
		w.Header().Set("Retry-After", "5")
		s.reject(w, http.StatusServiceUnavailable, "store", "cannot store the notification now; retry later")
		return
	}
	if s.opts.Wake != nil && len(res.Channels) > 0 {
		s.opts.Wake(res.Channels...)
	}
	s.metrics.received.Inc()
	s.metrics.accept.Observe(time.Since(start).Seconds())
	s.opts.Logger.Debug("notification stored", "group_key", n.GroupKey, "status", n.Status,
		"alerts", len(n.Alerts), "deliveries", res.Deliveries, "channels", res.Channels)
	writeJSON(w, http.StatusOK, map[string]any{"status": "success", "alerts": len(n.Alerts), "deliveries": res.Deliveries})
}

// Accept stores a notification raised inside Herald (the collectors'
// alerts) as if Alertmanager had posted it: routed by the routes and the
// bot's subscriptions, deduplicated, and its channels woken. It returns
// once the notification is committed.
func (s *Server) Accept(ctx context.Context, n *alert.Notification) error {
	st := s.state.Load()
	in := &store.Ingest{Notification: n, ReceivedAt: time.Now(), Targets: make([][]alert.Target, len(n.Alerts))}
	for i := range n.Alerts {
		in.Targets[i] = st.router.Targets(n.Alerts[i].Labels)
	}
	res, err := s.opts.Store.Ingest(ctx, in)
	if err != nil {
		return err
	}
	if s.opts.Wake != nil && len(res.Channels) > 0 {
		s.opts.Wake(res.Channels...)
	}
	return nil
}

func (s *Server) reject(w http.ResponseWriter, code int, reason, msg string) {
	s.metrics.rejected.WithLabelValues(reason).Inc()
	if code != http.StatusServiceUnavailable {
		s.opts.Logger.Warn("webhook rejected", "code", code, "reason", msg)
	}
	if code == http.StatusUnauthorized {
		w.Header().Set("WWW-Authenticate", `Bearer realm="herald", Basic realm="herald"`)
	}
	writeError(w, code, msg)
}

// auth holds the webhook credentials of one configuration.
type auth struct {
	token          string
	user, password string
	basic          bool
}

func newAuth(c *config.WebhookConfig) auth {
	a := auth{token: string(c.BearerToken)}
	if c.BasicAuth != nil {
		a.user, a.password, a.basic = c.BasicAuth.Username, string(c.BasicAuth.Password), true
	}
	return a
}

// allows checks the request's credentials; with none configured every
// request is allowed. Either configured method is enough.
func (a auth) allows(r *http.Request) bool {
	if a.token == "" && !a.basic {
		return true
	}
	if a.token != "" && bearerMatches(r.Header.Get("Authorization"), a.token) {
		return true
	}
	if a.basic {
		u, p, ok := r.BasicAuth()
		if ok && subtle.ConstantTimeCompare([]byte(u), []byte(a.user)) == 1 &&
			subtle.ConstantTimeCompare([]byte(p), []byte(a.password)) == 1 {
			return true
		}
	}
	return false
}

// bearerPrefix is the scheme and the one space before a bearer token
// (RFC 6750 section 2.1).
const bearerPrefix = "Bearer "

// bearerMatches reports whether an Authorization header is exactly
// "Bearer <token>". The whole header is compared, in constant time, so
// that another scheme ("Digest <token>") or any seven characters before
// the token do not pass; the scheme alone is case-insensitive (RFC 7235
// section 2.1), so "bearer" and "BEARER" do.
func bearerMatches(header, token string) bool {
	if len(header) >= len(bearerPrefix) && asciiEqualFold(header[:len(bearerPrefix)], bearerPrefix) {
		header = bearerPrefix + header[len(bearerPrefix):]
	}
	return subtle.ConstantTimeCompare([]byte(header), []byte(bearerPrefix+token)) == 1
}

// asciiEqualFold is strings.EqualFold for ASCII only: Unicode folding
// would let a non-ASCII letter stand for one of the scheme's.
func asciiEqualFold(a, b string) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range len(a) {
		x, y := a[i], b[i]
		if 'A' <= x && x <= 'Z' {
			x += 'a' - 'A'
		}
		if 'A' <= y && y <= 'Z' {
			y += 'a' - 'A'
		}
		if x != y {
			return false
		}
	}
	return true
}

// readBody reads r whole into a buffer sized by the request's
// Content-Length (sizeHint, <= 0 when unknown), so that a large
// notification costs its size once rather than the up to twice that
// io.ReadAll's doubling may take.
func readBody(r io.Reader, sizeHint int64) ([]byte, error) {
	if sizeHint <= 0 {
		return io.ReadAll(r)
	}
	buf := make([]byte, 0, sizeHint+1)
	for {
		if len(buf) == cap(buf) {
			buf = append(buf, 0)[:len(buf)]
		}
		n, err := r.Read(buf[len(buf):cap(buf)])
		buf = buf[:len(buf)+n]
		switch {
		case errors.Is(err, io.EOF):
			return buf, nil
		case err != nil:
			return buf, err
		}
	}
}
