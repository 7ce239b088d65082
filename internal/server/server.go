// Package server is Herald's HTTP interface: the Alertmanager webhook
// receiver, health and readiness, reload and metrics.
package server

import (
	"context"
	"encoding/json"
	"log/slog"
	"net/http"
	"sync"
	"sync/atomic"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/heraldhq/herald/internal/config"
	"github.com/heraldhq/herald/internal/route"
	"github.com/heraldhq/herald/internal/store"
)

// Store is what the receiver needs from the store.
type Store interface {
	Ingest(ctx context.Context, in *store.Ingest) (store.IngestResult, error)
	Ping(ctx context.Context) error
}

// Options wire the server to the rest of Herald.
type Options struct {
	Store Store
	// Wake is told which channels got new deliveries.
	Wake func(channels ...string)
	// Reload reloads the configuration (POST /-/reload).
	Reload func() error
	// Gatherer serves /metrics; Registerer takes the server's own metrics.
	Gatherer   prometheus.Gatherer
	Registerer prometheus.Registerer
	Logger     *slog.Logger
	// Images serves hosted charts (GET /images/{file}); nil when charts are
	// not hosted.
	Images http.Handler
	// Telegram receives the bot's updates in webhook mode (POST
	// /telegram/webhook); nil without a bot.
	Telegram http.Handler
}

// state is what a configuration gives the server; swapped whole on reload.
type state struct {
	router  *route.Router
	auth    auth
	maxBody int64
}

// Server serves Herald's HTTP API.
type Server struct {
	opts    Options
	state   atomic.Pointer[state]
	metrics *metrics

	// mu orders Update and Subscribe, which each rebuild the router from
	// the latest configuration and subscriptions.
	mu   sync.Mutex
	cfg  *config.Config
	subs []route.Subscription
}

// New makes a server for a validated configuration.
func New(cfg *config.Config, opts Options) *Server {
	s := &Server{opts: opts, metrics: newMetrics(opts.Registerer)}
	s.Update(cfg)
	return s
}

// Update applies a reloaded configuration.
func (s *Server) Update(cfg *config.Config) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.cfg = cfg
	s.swap()
}

// Subscribe routes alerts by the bot's subscriptions from now on, beside
// the configured routes.
func (s *Server) Subscribe(subs []route.Subscription) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.subs = subs
	s.swap()
}

// swap builds the state of s.cfg and s.subs; the caller holds s.mu.
func (s *Server) swap() {
	s.state.Store(&state{router: route.New(s.cfg, s.subs...), auth: newAuth(&s.cfg.Webhook), maxBody: int64(s.cfg.Webhook.MaxBodySize)})
}

// Router is the routing table in force.
func (s *Server) Router() *route.Router { return s.state.Load().router }

// Handler returns the HTTP handler with every route.
func (s *Server) Handler() http.Handler {
	mux := newRoutes(s.metrics)
	mux.HandleFunc("POST /api/v1/alerts", s.receive)
	mux.HandleFunc("POST /api/v1/alerts/{channel}", s.receive)
	mux.HandleFunc("/api/v1/alerts", methodNotAllowed)
	mux.HandleFunc("/api/v1/alerts/{channel}", methodNotAllowed)
	mux.HandleFunc("GET /-/healthy", func(w http.ResponseWriter, _ *http.Request) {
		writeText(w, http.StatusOK, "Herald is Healthy.\n")
	})
	mux.HandleFunc("GET /-/ready", s.ready)
	mux.HandleFunc("POST /-/reload", s.reload)
	if s.opts.Telegram != nil {
		mux.Handle("/telegram/webhook", s.opts.Telegram)
	}
	if s.opts.Images != nil {
		mux.Handle("GET /images/{file}", s.opts.Images)
	}
	if s.opts.Gatherer != nil {
		mux.Handle("GET /metrics", promhttp.HandlerFor(s.opts.Gatherer, promhttp.HandlerOpts{}))
	}
	return mux
}

func (s *Server) ready(w http.ResponseWriter, r *http.Request) {
	if err := s.opts.Store.Ping(r.Context()); err != nil {
		s.opts.Logger.Warn("not ready: store unavailable", "err", err)
		writeText(w, http.StatusServiceUnavailable, "Herald is not ready: the store is unavailable.\n")
		return
	}
	writeText(w, http.StatusOK, "Herald is Ready.\n")
}

func (s *Server) reload(w http.ResponseWriter, _ *http.Request) {
	if s.opts.Reload == nil {
		writeError(w, http.StatusServiceUnavailable, "reload is not available")
		return
	}
	if err := s.opts.Reload(); err != nil {
		writeError(w, http.StatusBadRequest, "configuration not reloaded, the running one is kept: "+err.Error())
		return
	}
	writeJSON(w, http.StatusOK, map[string]string{"status": "success"})
}

func methodNotAllowed(w http.ResponseWriter, _ *http.Request) {
	w.Header().Set("Allow", http.MethodPost)
	writeError(w, http.StatusMethodNotAllowed, "only POST is allowed")
}

func writeText(w http.ResponseWriter, code int, text string) {
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	w.WriteHeader(code)
	_, _ = w.Write([]byte(text))
}

func writeJSON(w http.ResponseWriter, code int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(code)
	_ = json.NewEncoder(w).Encode(v)
}

func writeError(w http.ResponseWriter, code int, reason string) {
	writeJSON(w, code, map[string]string{"status": "error", "error": reason})
}
