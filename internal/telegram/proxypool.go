package telegram

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"strconv"
	"sync"
	"time"

	promconfig "github.com/prometheus/common/config"

	"github.com/heraldhq/herald/internal/config"
	"github.com/heraldhq/herald/internal/httpconf"
)

// DefaultProxyRecheck is how long a bot with proxy_urls keeps to the proxy
// it moved to before it tries the first one again: long enough that a
// proxy that is down costs one failed attempt per period, short enough
// that the preferred proxy is back soon after it recovers.
const DefaultProxyRecheck = 5 * time.Minute

// proxyPool is the transport of a bot with several proxies (proxy_urls).
// It sends through one proxy at a time; when that proxy fails (a transport
// error: it cannot be reached, refuses the tunnel, fails the TLS
// handshake or lets the request time out, or it answers 407), the pool
// moves to the next and sends the request there once more. Telegram's own
// answers, errors included, are not the proxy's failures. After recheck
// in use, the proxy it moved to gives way to the first again.
//
// The request is sent again only while its context lives, so never after
// a timeout, which may have reached Telegram; the failures left (the
// proxy cannot be reached or refuses the tunnel) happen before the
// request leaves. A connection cut after it left is the one case that can
// send a message twice, as the dispatcher's retry of the same error would.
type proxyPool struct {
	proxies []poolProxy
	recheck time.Duration
	now     func() time.Time
	logger  *slog.Logger
	redact  func(error) error

	mu    sync.Mutex
	cur   int
	since time.Time // when cur became the proxy in use
}

// poolProxy is one proxy of the pool and the transport through it.
type poolProxy struct {
	host string // host:port, for logs: never the URL, which holds the password
	rt   http.RoundTripper
}

// newProxyPool builds one transport per proxy from h with its proxy_url
// replaced, so that each proxy has its own connections and the rest of the
// http_config (TLS, headers) applies to all.
func newProxyPool(h config.HTTPClientConfig, proxies []promconfig.URL, o *options, logger *slog.Logger, redact func(error) error) (*proxyPool, error) {
	p := &proxyPool{recheck: o.proxyRecheck, now: o.now, logger: logger, redact: redact}
	for i, u := range proxies {
		if u.URL == nil {
			return nil, errors.New("telegram: proxy_urls[" + strconv.Itoa(i) + "] is empty")
		}
		if err := checkProxy(u.URL, "proxy_urls["+strconv.Itoa(i)+"]"); err != nil {
			return nil, err
		}
		hc := h
		hc.ProxyURL = u
		rt, err := httpconf.RoundTripper(hc, "telegram")
		if err != nil {
			return nil, redact(err)
		}
		p.proxies = append(p.proxies, poolProxy{host: u.Host, rt: rt})
	}
	p.since = p.now()
	p.logger.Info("Telegram requests go through the first of the proxies in proxy_urls",
		"proxy", 1, "proxy_host", p.proxies[0].host, "proxies", len(p.proxies))
	return p, nil
}

// RoundTrip sends req through the proxy in use and, when that proxy
// fails, once through the next.
func (p *proxyPool) RoundTrip(req *http.Request) (*http.Response, error) {
	i := p.current()
	resp, err := p.proxies[i].rt.RoundTrip(req)
	if !p.failed(req, resp, err) {
		return resp, err
	}
	next := p.fail(i, resp, err)
	ctx := req.Context()
	if next == i || ended(req) || (req.Body != nil && req.Body != http.NoBody && req.GetBody == nil) {
		return resp, err
	}
	if resp != nil {
		// A 407: the next proxy's answer replaces it.
		_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 4096))
		resp.Body.Close()
	}
	again := req.Clone(ctx)
	if req.GetBody != nil {
		if again.Body, err = req.GetBody(); err != nil {
			return nil, err
		}
	}
	resp, err = p.proxies[next].rt.RoundTrip(again)
	if p.failed(again, resp, err) {
		p.fail(next, resp, err)
	}
	return resp, err
}

// current is the index of the proxy to use, the first again once the one
// in use has been for recheck.
func (p *proxyPool) current() int {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.cur != 0 && p.now().Sub(p.since) >= p.recheck {
		p.cur, p.since = 0, p.now()
		p.logger.Info("trying the first Telegram proxy again", "proxy", 1, "proxy_host", p.proxies[0].host)
	}
	return p.cur
}

// failed reports whether the proxy is to blame for the outcome of req: a
// transport error, unless the caller gave up (a cancelled context), or a
// 407 (the proxy refused the credentials; only a proxy sends it). A
// timeout is the proxy's failure.
func (p *proxyPool) failed(req *http.Request, resp *http.Response, err error) bool {
	if err != nil {
		return !errors.Is(req.Context().Err(), context.Canceled)
	}
	return resp.StatusCode == http.StatusProxyAuthRequired
}

// ended reports whether req's time is up: its context is done, or the
// http.Client's timeout cancelled it. The client does the latter through
// Request.Cancel for a transport it does not know, such as the pool, and
// that may come a moment before the context's deadline.
func ended(req *http.Request) bool {
	if req.Context().Err() != nil {
		return true
	}
	select {
	case <-req.Cancel: //nolint:staticcheck // what http.Client closes on its timeout
		return true
	default:
		return false
	}
}

// fail moves the pool past proxy i, if it is still the one in use, and
// returns the proxy in use now.
func (p *proxyPool) fail(i int, resp *http.Response, err error) int {
	p.mu.Lock()
	defer p.mu.Unlock()
	if i != p.cur || len(p.proxies) == 1 {
		return p.cur
	}
	p.cur, p.since = (i+1)%len(p.proxies), p.now()
	if err == nil {
		err = errors.New(resp.Status)
	}
	p.logger.Warn("a Telegram proxy failed; moving to the next",
		"failed_proxy", i+1, "failed_proxy_host", p.proxies[i].host,
		"proxy", p.cur+1, "proxy_host", p.proxies[p.cur].host, "err", p.redact(err))
	return p.cur
}

// CloseIdleConnections closes the idle connections of every proxy's
// transport (http.Client.CloseIdleConnections calls it).
func (p *proxyPool) CloseIdleConnections() {
	for _, pp := range p.proxies {
		if ci, ok := pp.rt.(interface{ CloseIdleConnections() }); ok {
			ci.CloseIdleConnections()
		}
	}
}
