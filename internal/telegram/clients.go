package telegram

import (
	"log/slog"
	"sync"

	"github.com/heraldhq/herald/internal/config"
	"github.com/heraldhq/herald/internal/notify"
)

// Clients hands out one Client per bot configuration and one rate limiter
// per token, so that every channel (and the interactive bot) using a
// token shares its limiter: Telegram's limits are per bot, not per
// channel. It is safe for concurrent use.
type Clients struct {
	logger  *slog.Logger
	mu      sync.Mutex
	clients map[clientKey]*Client
	limits  map[string]*notify.Limiter
}

// clientKey is what makes two clients different.
type clientKey struct {
	token, apiURL, proxyURL string
	timeout                 config.Duration
	limits                  config.TelegramRateLimits
}

// clientsKey keys the Clients of a notify.Shared.
type clientsKey struct{}

// SharedClients returns the Clients held by s, made on first use, so that
// clients (and their rate limiters) outlive the notifiers rebuilt on a
// reload.
func SharedClients(s *notify.Shared, logger *slog.Logger) *Clients {
	c, _ := notify.Share(s, clientsKey{}, func() (*Clients, error) { return NewClients(logger), nil })
	return c
}

// NewClients makes an empty set of clients.
func NewClients(logger *slog.Logger) *Clients {
	return &Clients{logger: logger, clients: map[clientKey]*Client{}, limits: map[string]*notify.Limiter{}}
}

// Get returns the client for cfg. Configurations that differ only in
// api_url, proxy or timeout get their own HTTP client but the same limiter
// when the token is the same.
func (s *Clients) Get(cfg config.TelegramConfig) (*Client, error) {
	key := clientKey{string(cfg.BotToken), cfg.APIURL, cfg.ProxyURL, cfg.Timeout, cfg.RateLimits}
	s.mu.Lock()
	defer s.mu.Unlock()
	if c, ok := s.clients[key]; ok {
		return c, nil
	}
	c, err := New(cfg, s.logger)
	if err != nil {
		return nil, err
	}
	if l, ok := s.limits[c.token]; ok {
		c.limiter = l
	} else {
		s.limits[c.token] = c.limiter
	}
	s.clients[key] = c
	return c, nil
}
