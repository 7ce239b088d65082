package telegram

import (
	"log/slog"
	"reflect"
	"sync"

	promconfig "github.com/prometheus/common/config"

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
	clients []keyedClient
	limits  map[string]*notify.Limiter
}

// keyedClient is a client and what made it.
type keyedClient struct {
	key clientKey
	c   *Client
}

// clientKey is what makes two clients different: the settings New reads,
// not the interactive bot's (mode, users, ...), so that a reload changing
// those keeps the client. The http_config holds pointers and maps, so keys
// are compared with reflect.DeepEqual rather than used as map keys; a
// handful of bots makes the linear search free.
type clientKey struct {
	token, apiURL string
	http          config.HTTPClientConfig
	proxies       []promconfig.URL
	timeout       config.Duration
	limits        config.TelegramRateLimits
}

func keyOf(cfg config.TelegramConfig) clientKey {
	return clientKey{string(cfg.BotToken), cfg.APIURL, cfg.HTTP, cfg.ProxyURLs, cfg.Timeout, cfg.RateLimits}
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
	return &Clients{logger: logger, limits: map[string]*notify.Limiter{}}
}

// Get returns the client for cfg. Configurations that differ only in
// api_url, http_config (proxy, TLS, ...) or timeout get their own HTTP
// client but the same limiter when the token is the same.
func (s *Clients) Get(cfg config.TelegramConfig) (*Client, error) {
	key := keyOf(cfg)
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, kc := range s.clients {
		if reflect.DeepEqual(kc.key, key) {
			return kc.c, nil
		}
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
	s.clients = append(s.clients, keyedClient{key, c})
	return c, nil
}
