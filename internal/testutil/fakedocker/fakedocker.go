// Package fakedocker is a strict fake of the Docker Engine API, the few
// calls Herald's Docker collector makes (/_ping, /containers/json,
// /containers/{id}/json, /containers/{id}/stats), over a unix socket or
// TCP (with TLS and client certificates). It checks the API version of
// every call as engines do (Docker 29 refuses clients below 1.44, Docker
// 20.10 speaks at most 1.41), answers stats in the cgroup v1 or v2 shape
// with scripted values, and fails on demand: a dead connection, a slow
// answer, truncated JSON, a 500. An SSH server (StartSSH) reaches its
// socket as sshd does, for the ssh:// transport.
package fakedocker

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"regexp"
	"slices"
	"strings"
	"sync"
	"time"
)

// Options describe the engine.
type Options struct {
	// Version is the newest API version the engine speaks (its
	// API-Version header); MinVersion the oldest it accepts.
	Version, MinVersion string
	// Podman answers /_ping as Podman's compatible socket does.
	Podman bool
}

// Docker20 is Debian's Docker 20.10: API 1.41, old clients welcome.
func Docker20() Options { return Options{Version: "1.41", MinVersion: "1.12"} }

// Docker19 is Docker 19.03: API 1.40, before stats' one-shot.
func Docker19() Options { return Options{Version: "1.40", MinVersion: "1.12"} }

// Docker29 is Docker 29: API 1.52, and it refuses clients below 1.44.
func Docker29() Options { return Options{Version: "1.52", MinVersion: "1.44"} }

// Podman5 is Podman 5's Docker-compatible socket.
func Podman5() Options { return Options{Version: "1.41", MinVersion: "1.24", Podman: true} }

// Container is one container of the fake engine.
type Container struct {
	ID, Name, Image string
	// State is running, exited, paused, restarting, created or dead.
	State string
	// Health is healthy, unhealthy, starting, or "" for no healthcheck.
	Health       string
	RestartCount int
	StartedAt    time.Time
	// CgroupV2 answers stats in the cgroup v2 shape.
	CgroupV2 bool
	// Stats are answered one per call, the last one again and again.
	Stats []Stats

	next int // the next Stats to answer
}

// Stats is one sample of a container's statistics.
type Stats struct {
	Read time.Time
	// CPUTotal is the container's CPU time, SystemCPU the host's (both in
	// nanoseconds, the host's summed over its CPUs).
	CPUTotal, SystemCPU uint64
	OnlineCPUs          int
	// MemUsage is the cgroup's usage, InactiveFile its inactive page cache.
	MemUsage, MemLimit, InactiveFile uint64
	// Networks are rx and tx bytes by interface; none: network none.
	Networks          map[string][2]uint64
	BlkRead, BlkWrite uint64
}

// FaultKind is how a call fails.
type FaultKind int

// The faults.
const (
	FaultNone FaultKind = iota
	// FaultDead closes the connection without an answer.
	FaultDead
	// FaultSlow answers after Fault.Delay (or never, if 0).
	FaultSlow
	// FaultTruncated answers 200 with half of the JSON.
	FaultTruncated
	// Fault500 answers 500 with an engine error message.
	Fault500
)

// Fault fails the calls whose path contains Path ("" all, /_ping too).
type Fault struct {
	Kind  FaultKind
	Path  string
	Delay time.Duration
}

// Engine is a fake Docker engine. It is safe for concurrent use.
type Engine struct {
	opts Options

	mu         sync.Mutex
	containers []*Container
	fault      Fault
	requests   []string
	inFlight   int
	most       int
}

// New makes an engine with no containers; Serve* make it listen.
func New(opts Options) *Engine {
	if opts.Version == "" {
		opts = Docker20()
	}
	if opts.MinVersion == "" {
		opts.MinVersion = "1.12"
	}
	return &Engine{opts: opts}
}

// Add adds containers (their IDs must be unique).
func (e *Engine) Add(cs ...Container) {
	e.mu.Lock()
	defer e.mu.Unlock()
	for _, c := range cs {
		e.containers = append(e.containers, &c)
	}
}

// Update changes a container (its state, restarts, health); the scripted
// stats go on where they were.
func (e *Engine) Update(id string, f func(c *Container)) {
	e.mu.Lock()
	defer e.mu.Unlock()
	c := e.find(id)
	if c == nil {
		panic("fakedocker: no container " + id)
	}
	f(c)
}

// Script replaces a container's scripted stats; the next call answers
// the first.
func (e *Engine) Script(id string, stats ...Stats) {
	e.mu.Lock()
	defer e.mu.Unlock()
	c := e.find(id)
	if c == nil {
		panic("fakedocker: no container " + id)
	}
	c.Stats, c.next = stats, 0
}

// Remove removes a container.
func (e *Engine) Remove(id string) {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.containers = slices.DeleteFunc(e.containers, func(c *Container) bool { return c.ID == id })
}

// SetFault makes calls fail; Fault{} stops it.
func (e *Engine) SetFault(f Fault) {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.fault = f
}

// Requests returns the calls made so far ("GET /v1.41/containers/json?all=true").
func (e *Engine) Requests() []string {
	e.mu.Lock()
	defer e.mu.Unlock()
	return slices.Clone(e.requests)
}

// MostInFlight is the most calls the engine was answering at once.
func (e *Engine) MostInFlight() int {
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.most
}

var versionedPath = regexp.MustCompile(`^/v([0-9]+\.[0-9]+)(/.*)$`)

// ServeHTTP answers one call.
func (e *Engine) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	e.mu.Lock()
	e.requests = append(e.requests, r.Method+" "+r.URL.RequestURI())
	fault := e.fault
	e.inFlight++
	e.most = max(e.most, e.inFlight)
	e.mu.Unlock()
	defer func() {
		e.mu.Lock()
		e.inFlight--
		e.mu.Unlock()
	}()
	if fault.Kind != FaultNone && strings.Contains(r.URL.Path, fault.Path) {
		if e.applyFault(w, r, fault) {
			return
		}
	}
	e.answer(w, r)
}

// answer answers a call as the engine does.
func (e *Engine) answer(w http.ResponseWriter, r *http.Request) {
	e.setHeaders(w)
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		apiErr(w, http.StatusMethodNotAllowed, "fakedocker: only GET is served")
		return
	}
	path, version := r.URL.Path, e.opts.Version
	if m := versionedPath.FindStringSubmatch(path); m != nil {
		version, path = m[1], m[2]
		switch {
		case versionLess(version, e.opts.MinVersion):
			apiErr(w, http.StatusBadRequest, fmt.Sprintf("client version %s is too old. Minimum supported API version is %s, please upgrade your client to a newer version", version, e.opts.MinVersion))
			return
		case versionLess(e.opts.Version, version):
			apiErr(w, http.StatusBadRequest, fmt.Sprintf("client version %s is too new. Maximum supported API version is %s", version, e.opts.Version))
			return
		}
	}
	switch {
	case path == "/_ping":
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		_, _ = w.Write([]byte("OK"))
	case path == "/containers/json":
		e.list(w, r)
	case strings.HasPrefix(path, "/containers/") && strings.HasSuffix(path, "/json"):
		e.inspect(w, strings.TrimSuffix(strings.TrimPrefix(path, "/containers/"), "/json"))
	case strings.HasPrefix(path, "/containers/") && strings.HasSuffix(path, "/stats"):
		e.stats(w, r, version, strings.TrimSuffix(strings.TrimPrefix(path, "/containers/"), "/stats"))
	default:
		apiErr(w, http.StatusNotFound, "page not found")
	}
}

func (e *Engine) setHeaders(w http.ResponseWriter) {
	h := w.Header()
	h.Set("Api-Version", e.opts.Version)
	h.Set("Ostype", "linux")
	if e.opts.Podman {
		h.Set("Libpod-Api-Version", "5.2.2")
		h.Set("Server", "Libpod/5.2.2 (linux)")
	} else {
		h.Set("Server", "Docker/fake (linux)")
		h.Set("Docker-Experimental", "false")
	}
}

// applyFault fails the call; false lets a slow call be answered.
func (e *Engine) applyFault(w http.ResponseWriter, r *http.Request, f Fault) bool {
	switch f.Kind {
	case FaultDead:
		if hj, ok := w.(http.Hijacker); ok {
			if conn, _, err := hj.Hijack(); err == nil {
				conn.Close()
			}
		}
		return true
	case FaultSlow:
		if f.Delay <= 0 {
			<-r.Context().Done()
			return true
		}
		select {
		case <-time.After(f.Delay):
			return false
		case <-r.Context().Done():
			return true
		}
	case Fault500:
		e.setHeaders(w)
		apiErr(w, http.StatusInternalServerError, "fakedocker: injected internal error")
		return true
	case FaultTruncated:
		rec := httptest.NewRecorder()
		e.answer(rec, r)
		for k, v := range rec.Header() {
			w.Header()[k] = v
		}
		w.Header().Del("Content-Length")
		w.WriteHeader(rec.Code)
		body := rec.Body.Bytes()
		_, _ = w.Write(body[:len(body)/2])
		return true
	}
	return false
}
