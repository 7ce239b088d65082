package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"github.com/heraldhq/herald/internal/platforms"
	"io"
	"net/http"
	"net/url"
	"os"
	"strings"
	"time"

	amtemplate "github.com/prometheus/alertmanager/template"

	"github.com/heraldhq/herald/internal/alert"
	"github.com/heraldhq/herald/internal/app"
	"github.com/heraldhq/herald/internal/config"
	"github.com/heraldhq/herald/internal/notify"
)

// sampleNotification is what Alertmanager would send for a node alert; a new
// startsAt each run makes it a new episode, so dedup never hides it.
func sampleNotification(status, severity string, starts time.Time) *alert.Notification {
	labels := amtemplate.KV{"alertname": "HeraldTestAlert", "instance": "herald-send-test:9100", "job": "node", "severity": severity}
	a := amtemplate.Alert{
		Status: status, Labels: labels, StartsAt: starts,
		Annotations: amtemplate.KV{
			"summary":     "Test alert from herald send-test",
			"description": "CPU load on herald-send-test:9100 is 97% (above 90%) for 5 minutes. This is a test; nothing is wrong.",
		},
		GeneratorURL: "http://prometheus.example:9090/graph?g0.expr=" +
			url.QueryEscape(`100 - avg by (instance) (rate(node_cpu_seconds_total{mode="idle"}[5m])) * 100 > 90`) + "&g0.tab=1",
		Fingerprint: alert.Fingerprint(labels),
	}
	if status == "resolved" {
		a.EndsAt = time.Now().UTC()
	}
	n := &alert.Notification{Version: alert.SupportedVersion, GroupKey: `{}:{alertname="HeraldTestAlert"}`}
	n.Data = amtemplate.Data{Receiver: "herald", Status: status, Alerts: amtemplate.Alerts{a},
		GroupLabels: amtemplate.KV{"alertname": "HeraldTestAlert"}, CommonLabels: labels,
		CommonAnnotations: a.Annotations, ExternalURL: "http://alertmanager.example:9093"}
	return n
}

func sendTest(args []string, stdout, stderr io.Writer) error {
	var c common
	var cl clientFlags
	fs := newFlags("send-test", stdout, `Posts to the Herald that `+"`herald serve`"+` with the same --config (and
--web.listen-address, if given) runs, as Alertmanager would, and says where.
A Herald with TLS in its --web.config.file needs --url https://… (and
--tls.ca-file for a private CA); with basic_auth_users, --basic-auth.username
and --basic-auth.password-file. --direct needs no running Herald.`)
	c.register(fs)
	cl.register(fs, 30*time.Second)
	listen := listenFlag(fs, "the address a local 'herald serve --web.listen-address' listens on")
	direct := fs.Bool("direct", false, "deliver through the configured channels directly, without a running Herald")
	channel := fs.String("channel", "", "only this channel (default: routed like any alert)")
	severity := fs.String("severity", "warning", "severity label of the sample alert")
	wait := durationFlag(fs.FlagSet, "resolve-after", 3*time.Second, "time between the firing and the resolved notification")
	if err := c.parse(fs, args); err != nil {
		return err
	}
	cfg, err := config.Resolve(c.config, c.explicit, os.Getenv, platforms.Configs())
	if err != nil {
		return err
	}
	if *channel != "" && cfg.Channel(*channel) == nil {
		return fmt.Errorf("--channel: no channel %q in the configuration", *channel)
	}
	starts := time.Now().UTC().Add(-5 * time.Minute).Truncate(time.Millisecond)
	if *direct {
		logger, err := c.logger(stderr)
		if err != nil {
			return err
		}
		return sendDirect(cfg, *channel, *severity, starts, *wait, app.New(nil, app.Options{Stdout: stdout, Logger: logger}), stdout)
	}
	base, from := cl.base(*listen, cfg.ListenAddress, cfg.File)
	endpoint := base + "/api/v1/alerts"
	if *channel != "" {
		endpoint += "/" + url.PathEscape(*channel)
	}
	client, err := cl.client()
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "posting to %s (from %s)\n", endpoint, from)
	for i, status := range []string{"firing", "resolved"} {
		if i > 0 {
			time.Sleep(*wait)
		}
		if err := post(client, &cl, endpoint, &cfg.Webhook, sampleNotification(status, *severity, starts)); err != nil {
			return err
		}
		fmt.Fprintf(stdout, "posted %s HeraldTestAlert to %s\n", status, endpoint)
	}
	return nil
}

func post(client *http.Client, cl *clientFlags, endpoint string, wh *config.WebhookConfig, n *alert.Notification) error {
	body, err := json.Marshal(n)
	if err != nil {
		return err
	}
	req, err := http.NewRequest(http.MethodPost, endpoint, bytes.NewReader(body))
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", "application/json")
	switch {
	case wh.BearerToken != "":
		req.Header.Set("Authorization", "Bearer "+string(wh.BearerToken))
	case wh.BasicAuth != nil:
		req.SetBasicAuth(wh.BasicAuth.Username, string(wh.BasicAuth.Password))
	}
	// The web configuration's basic auth comes first when both are set;
	// Herald's webhook auth then has to accept the same header.
	if _, err := cl.authorize(req); err != nil {
		return err
	}
	resp, err := client.Do(req)
	if err != nil {
		return fmt.Errorf("post to Herald (is it running? use --direct to deliver without it): %w", err)
	}
	defer resp.Body.Close()
	answer, _ := io.ReadAll(io.LimitReader(resp.Body, 4096))
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("Herald answered %s: %s", resp.Status, strings.TrimSpace(string(answer)))
	}
	return nil
}

// sendDirect delivers the sample through the notifiers, as the dispatcher
// would, and reports each channel's outcome.
func sendDirect(cfg *config.Config, only, severity string, starts time.Time, wait time.Duration, a *app.App, stdout io.Writer) error {
	setup, err := a.Setup(cfg)
	if err != nil {
		return err
	}
	failed := 0
	for _, ch := range cfg.Channels {
		if only != "" && ch.Name != only {
			continue
		}
		n := setup.Channels[ch.Name].Notifier
		var refs []notify.Ref
		for i, status := range []string{"firing", "resolved"} {
			if i > 0 {
				time.Sleep(wait)
			}
			m := &notify.Message{Channel: ch.Name, Kind: alert.Kind(status), Data: &sampleNotification(status, severity, starts).Data, Previous: refs}
			ctx, cancel := context.WithTimeout(context.Background(), setup.Timeout)
			sent, _, err := n.Notify(ctx, m)
			cancel()
			if err != nil {
				failed++
				fmt.Fprintf(stdout, "%s: %s: FAILED: %v\n", ch.Name, status, notify.Redact(err, setup.Secrets...))
				break
			}
			refs = sent
			fmt.Fprintf(stdout, "%s: %s: delivered (%d message(s))\n", ch.Name, status, len(sent))
		}
	}
	if failed > 0 {
		return fmt.Errorf("%d channel(s) failed", failed)
	}
	return nil
}
