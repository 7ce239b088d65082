// Package fakehttp holds the plumbing that Herald's strict platform fakes
// (faketelegram, fakeslack, …) share, so that each fake is only what its
// platform checks and answers:
//   - Server, an httptest.Server whose Close does not wait for requests
//     that a fake made hang;
//   - Faults, a thread-safe plan of failures (a status, a 502 page, a hang,
//     a connection reset, latency) that a fake's handler applies first;
//   - Log, a recorder of what a fake accepted that tests can wait on.
package fakehttp

import (
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"
)

// Server is a fake's HTTP server on a loopback port. Every request's
// context ends when the server closes, so that a hang or a latency never
// outlives Close. The embedded httptest.Server gives URL and Client.
type Server struct {
	*httptest.Server
	cancel context.CancelFunc
	once   sync.Once
}

// NewServer starts h on a loopback port; it is closed when the test ends.
func NewServer(tb testing.TB, h http.Handler) *Server {
	tb.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	s := &Server{Server: httptest.NewUnstartedServer(h), cancel: cancel}
	s.Config.BaseContext = func(net.Listener) context.Context { return ctx }
	s.Start()
	tb.Cleanup(s.Close)
	return s
}

// Close stops the server; it may be called more than once. Requests are
// released first (their contexts end), because httptest.Server.Close waits
// for every request to finish, also one that a fault makes hang.
func (s *Server) Close() {
	s.once.Do(func() {
		s.cancel()
		s.CloseClientConnections()
		s.Server.Close()
	})
}

// Fault fails a request instead of the fake answering it. A nil Fault
// answers normally. A fake keeps its own exported fault kinds (each
// platform fails in its own words) and maps each to a Fault with Kind.
type Fault func(w http.ResponseWriter, r *http.Request)

// Answer is a Fault that answers status with body; contentType "" leaves
// the Content-Type to net/http's sniffing.
func Answer(status int, contentType, body string) Fault {
	return func(w http.ResponseWriter, _ *http.Request) {
		if contentType != "" {
			w.Header().Set("Content-Type", contentType)
		}
		w.WriteHeader(status)
		_, _ = io.WriteString(w, body)
	}
}

// BadGateway answers 502 with an HTML page, as a proxy in front of a
// platform does: the body is not the platform's.
func BadGateway(w http.ResponseWriter, r *http.Request) {
	Answer(http.StatusBadGateway, "text/html", "<html><body><h1>502 Bad Gateway</h1></body></html>")(w, r)
}

// Hang never answers: the request ends when the client gives up or the
// Server closes.
func Hang(_ http.ResponseWriter, r *http.Request) {
	<-r.Context().Done()
}

// Reset closes the connection without an answer.
func Reset(w http.ResponseWriter, _ *http.Request) {
	hj, ok := w.(http.Hijacker)
	if !ok {
		panic("fakehttp: connection cannot be hijacked")
	}
	conn, _, err := hj.Hijack()
	if err == nil {
		conn.Close()
	}
}

// Drain makes f read the request body (up to 1 MiB) first, as a service
// that reads a request before it fails does, so that the client is not cut
// off while it is still writing. Drain(nil) is nil.
func Drain(f Fault) Fault {
	if f == nil {
		return nil
	}
	return func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.Copy(io.Discard, io.LimitReader(r.Body, 1<<20))
		f(w, r)
	}
}

// Kind maps a fake's fault kind to its Fault: nil for the zero kind (the
// fakes' FaultNone), answers[k] for a known one, and for any other a Fault
// that panics "pkg: unknown fault k" when it is applied, as an unknown
// kind is a bug in the test.
func Kind[K ~int](pkg string, answers map[K]Fault, k K) Fault {
	if k == 0 {
		return nil
	}
	if f, ok := answers[k]; ok {
		return f
	}
	return func(http.ResponseWriter, *http.Request) {
		panic(fmt.Sprintf("%s: unknown fault %d", pkg, k))
	}
}

// Faults is a fake's failure plan. Its zero value plans nothing; it is
// safe for concurrent use.
type Faults struct {
	mu       sync.Mutex
	next     []Fault
	latency  time.Duration
	requests int
	injected int
}

// FailNext makes the next n requests (before any check) fail with f.
func (p *Faults) FailNext(n int, f Fault) {
	p.mu.Lock()
	defer p.mu.Unlock()
	for range n {
		p.next = append(p.next, f)
	}
}

// SetLatency delays every answer by d.
func (p *Faults) SetLatency(d time.Duration) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.latency = d
}

// Clear removes every planned failure and the latency.
func (p *Faults) Clear() {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.next, p.latency = nil, 0
}

// Counts returns how many requests Apply saw and how many of them (or of
// any request, through Inject) a Fault failed.
func (p *Faults) Counts() (requests, injected int) {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.requests, p.injected
}

// Apply is the first thing a fake's handler does: it counts the request,
// takes the next planned Fault, waits the latency and injects the Fault.
// It reports whether the request is done with: failed, or abandoned
// because the client went away or the Server closed during the latency.
func (p *Faults) Apply(w http.ResponseWriter, r *http.Request) (handled bool) {
	p.mu.Lock()
	p.requests++
	var f Fault
	if len(p.next) > 0 {
		f, p.next = p.next[0], p.next[1:]
	}
	latency := p.latency
	p.mu.Unlock()
	if !sleep(r, latency) {
		return true
	}
	if f == nil {
		return false
	}
	p.Inject(w, r, f)
	return true
}

// Inject fails the request with f and counts it; for the failures a fake
// plans for a request it has read (a chat, a method).
func (p *Faults) Inject(w http.ResponseWriter, r *http.Request, f Fault) {
	p.mu.Lock()
	p.injected++
	p.mu.Unlock()
	f(w, r)
}

// sleep waits d unless the request ends first (the client went away or
// the Server closed); it reports whether it waited d.
func sleep(r *http.Request, d time.Duration) bool {
	if d <= 0 {
		return true
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return true
	case <-r.Context().Done():
		return false
	}
}
