// Package loadgen posts Alertmanager notifications to a Herald as fast as a
// fixed number of clients can, and measures accept latency. Each notification
// is a new alert episode, so every one is stored and delivered.
package loadgen

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"slices"
	"sync"
	"sync/atomic"
	"time"
)

// Options describe one load run.
type Options struct {
	// URL is the webhook endpoint, e.g. http://127.0.0.1:9096/api/v1/alerts.
	URL string
	// Clients is the number of concurrent senders.
	Clients int
	// Duration bounds the run; Total bounds the number of notifications
	// (the first reached ends it; 0 means no bound).
	Duration time.Duration
	Total    int
	// Alerts is the number of alerts per notification (default 1).
	Alerts int
	// Labels are added to every alert (e.g. severity=critical to pick a route).
	Labels map[string]string
}

// Result is what a run measured.
type Result struct {
	Sent, Failed  int
	Elapsed       time.Duration
	P50, P99, Max time.Duration
}

// PerSecond is the rate of accepted notifications.
func (r Result) PerSecond() float64 { return float64(r.Sent) / r.Elapsed.Seconds() }

func (r Result) String() string {
	return fmt.Sprintf("%d accepted, %d failed in %v: %.0f notifications/s, accept latency p50 %v p99 %v max %v",
		r.Sent, r.Failed, r.Elapsed.Round(time.Millisecond), r.PerSecond(),
		r.P50.Round(10*time.Microsecond), r.P99.Round(10*time.Microsecond), r.Max.Round(10*time.Microsecond))
}

// Body builds a webhook payload whose alerts are new episodes numbered seq.
func Body(seq int64, alerts int, labels map[string]string) []byte {
	var b bytes.Buffer
	now := time.Now().UTC().Format(time.RFC3339Nano)
	fmt.Fprintf(&b, `{"version":"4","status":"firing","receiver":"herald","groupKey":"{}:{alertname=\"Load\",seq=\"%d\"}",`+
		`"groupLabels":{"alertname":"Load"},"commonLabels":{"alertname":"Load"},"commonAnnotations":{},`+
		`"externalURL":"http://alertmanager.example:9093","truncatedAlerts":0,"alerts":[`, seq)
	for i := 0; i < alerts; i++ {
		if i > 0 {
			b.WriteByte(',')
		}
		fmt.Fprintf(&b, `{"status":"firing","labels":{"alertname":"Load","instance":"host-%d-%d:9100","job":"node"`, seq, i)
		for k, v := range labels {
			fmt.Fprintf(&b, `,%q:%q`, k, v)
		}
		fmt.Fprintf(&b, `},"annotations":{"summary":"load test alert %d/%d"},"startsAt":%q,`+
			`"endsAt":"0001-01-01T00:00:00Z","generatorURL":"http://prometheus.example:9090/graph?g0.expr=up+%%3D%%3D+0"}`,
			seq, i, now)
	}
	b.WriteString("]}")
	return b.Bytes()
}

// Run sends notifications until ctx ends, Duration passes or Total are sent.
func Run(ctx context.Context, o Options) Result {
	if o.Clients <= 0 {
		o.Clients = 1
	}
	if o.Alerts <= 0 {
		o.Alerts = 1
	}
	if o.Duration > 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, o.Duration)
		defer cancel()
	}
	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: o.Clients}, Timeout: 30 * time.Second}
	var seq atomic.Int64
	var failed atomic.Int64
	lat := make([][]time.Duration, o.Clients)
	var wg sync.WaitGroup
	start := time.Now()
	base := start.UnixNano()
	for c := 0; c < o.Clients; c++ {
		wg.Add(1)
		go func(c int) {
			defer wg.Done()
			for ctx.Err() == nil {
				n := seq.Add(1)
				if o.Total > 0 && n > int64(o.Total) {
					return
				}
				body := Body(base+n, o.Alerts, o.Labels)
				t0 := time.Now()
				req, _ := http.NewRequestWithContext(ctx, http.MethodPost, o.URL, bytes.NewReader(body))
				req.Header.Set("Content-Type", "application/json")
				resp, err := client.Do(req)
				if err != nil {
					if ctx.Err() == nil {
						failed.Add(1)
					}
					continue
				}
				_, _ = io.Copy(io.Discard, resp.Body)
				resp.Body.Close()
				if resp.StatusCode != http.StatusOK {
					failed.Add(1)
					continue
				}
				lat[c] = append(lat[c], time.Since(t0))
			}
		}(c)
	}
	wg.Wait()
	var all []time.Duration
	for _, l := range lat {
		all = append(all, l...)
	}
	slices.Sort(all)
	r := Result{Sent: len(all), Failed: int(failed.Load()), Elapsed: time.Since(start)}
	if len(all) > 0 {
		r.P50, r.P99, r.Max = all[len(all)/2], all[len(all)*99/100], all[len(all)-1]
	}
	return r
}
