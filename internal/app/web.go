package app

import (
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"time"

	"github.com/prometheus/exporter-toolkit/web"
)

// listen opens Herald's own listener: --web.listen-address or
// listen_address. The web configuration file (--web.config.file) is checked
// first, so that a bad one stops Herald before it takes the port.
func (a *App) listen(addr string) (net.Listener, error) {
	if err := web.Validate(a.opts.WebConfigFile); err != nil {
		return nil, fmt.Errorf("web configuration %s: %w", a.opts.WebConfigFile, err)
	}
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, fmt.Errorf("listen on %s: %w", addr, err)
	}
	return ln, nil
}

// newHTTPServer is the server of Herald's endpoints: webhooks, health,
// reload, metrics, images and the bot's webhook.
func (a *App) newHTTPServer(h http.Handler) *http.Server {
	return &http.Server{Handler: h, ReadHeaderTimeout: 10 * time.Second, ReadTimeout: time.Minute,
		ErrorLog: slog.NewLogLogger(a.logger.Handler(), slog.LevelWarn)}
}

// serveHTTP serves hs on ln through the Prometheus exporter-toolkit, which
// adds TLS and basic auth from the web configuration file (the format of
// Prometheus' --web.config.file) to every endpoint; without a file it
// serves plain HTTP. TLS certificates and users are read again on new
// connections, so they change without a restart.
func (a *App) serveHTTP(hs *http.Server, ln net.Listener) error {
	file := a.opts.WebConfigFile
	systemd := false
	addrs := []string{ln.Addr().String()}
	return web.Serve(ln, hs, &web.FlagConfig{WebListenAddresses: &addrs, WebSystemdSocket: &systemd, WebConfigFile: &file}, a.logger)
}
