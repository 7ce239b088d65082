package main

import (
	"fmt"
	"io"
	"net/http"
	"os"
	"strings"
	"time"

	"github.com/heraldhq/herald/internal/config"
	"github.com/heraldhq/herald/internal/platforms"
)

// healthcheck is `herald healthcheck`: GET /-/healthy (or /-/ready) of a
// running Herald, exit 0 on 200 and 1 otherwise, for a container's
// HEALTHCHECK on an image without curl or wget.
func healthcheck(args []string, stdout, stderr io.Writer) error {
	var c common
	var cl clientFlags
	fs := newFlags("healthcheck", stdout, `Asks GET /-/healthy (with --ready, GET /-/ready: the store answers too) of
the Herald that `+"`herald serve`"+` with the same --config and --web.listen-address
runs; prints the answer and exits 0 on 200, else 1 with the reason. A
configuration that cannot be read leaves the default address
(127.0.0.1:9096). With TLS in Herald's --web.config.file give --url https://…
(and --tls.ca-file or --tls.insecure-skip-verify for a self-signed
certificate); with basic_auth_users, --basic-auth.username and
--basic-auth.password-file.`)
	c.register(fs)
	cl.register(fs, 5*time.Second)
	listen := listenFlag(fs, "the address a local 'herald serve --web.listen-address' listens on")
	ready := fs.Bool("ready", false, "ask /-/ready instead of /-/healthy")
	if err := c.parse(fs, args); err != nil {
		return err
	}
	addr, file := config.DefaultConfig().ListenAddress, ""
	if cl.url == "" && *listen == "" {
		cfg, err := config.Resolve(c.config, c.explicit, os.Getenv, platforms.Configs())
		if err != nil {
			fmt.Fprintf(stderr, "herald healthcheck: configuration not read, asking the default address: %v\n", err)
		} else {
			addr, file = cfg.ListenAddress, cfg.File
		}
	}
	base, _ := cl.base(*listen, addr, file)
	path := "/-/healthy"
	if *ready {
		path = "/-/ready"
	}
	client, err := cl.client()
	if err != nil {
		return err
	}
	req, err := http.NewRequest(http.MethodGet, base+path, nil)
	if err != nil {
		return usagef("--url: %v", err)
	}
	authorized, err := cl.authorize(req)
	if err != nil {
		return err
	}
	resp, err := client.Do(req)
	if err != nil {
		return fmt.Errorf("GET %s: %w", req.URL.Redacted(), err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(io.LimitReader(resp.Body, 1024))
	answer := strings.TrimSpace(string(body))
	if resp.StatusCode != http.StatusOK {
		if resp.StatusCode == http.StatusUnauthorized && !authorized {
			answer += " (the web configuration asks for basic auth: give --basic-auth.username and --basic-auth.password-file)"
		}
		return fmt.Errorf("GET %s: %s: %s", req.URL.Redacted(), resp.Status, answer)
	}
	fmt.Fprintf(stdout, "%s: %s\n", req.URL.Redacted(), answer)
	return nil
}
