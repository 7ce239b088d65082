// Command herald-load posts Alertmanager notifications to a running Herald
// from a number of concurrent clients and prints throughput and accept
// latency. Every notification is a new alert episode, so Herald stores and
// delivers each one: point it at a Herald whose channel is a fake or the
// console, not a real chat.
package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"strings"
	"time"

	"github.com/heraldhq/herald/internal/loadgen"
)

func main() { os.Exit(run()) }

func run() int {
	url := flag.String("url", "http://127.0.0.1:9096/api/v1/alerts", "webhook endpoint")
	clients := flag.Int("clients", 32, "concurrent clients")
	duration := flag.Duration("duration", 10*time.Second, "how long to send")
	total := flag.Int("total", 0, "stop after this many notifications (0: no limit)")
	alerts := flag.Int("alerts", 1, "alerts per notification")
	labels := flag.String("labels", "", "extra labels, e.g. severity=critical,team=db")
	flag.Parse()
	extra := map[string]string{}
	for _, kv := range strings.Split(*labels, ",") {
		if k, v, ok := strings.Cut(kv, "="); ok {
			extra[k] = v
		}
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	r := loadgen.Run(ctx, loadgen.Options{URL: *url, Clients: *clients, Duration: *duration, Total: *total,
		Alerts: *alerts, Labels: extra})
	fmt.Println(r)
	if r.Failed > 0 {
		return 1
	}
	return 0
}
