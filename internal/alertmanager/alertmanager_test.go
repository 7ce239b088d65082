package alertmanager

import (
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/alertmanager/pkg/labels"

	"github.com/heraldhq/herald/internal/config"
	"github.com/heraldhq/herald/internal/testutil/realproc"
)

// These tests run against the real Alertmanager (Debian package
// prometheus-alertmanager), each against its own.

// startAM runs an Alertmanager whose notifications go to a sink, and a
// client of it.
func startAM(t *testing.T) (*realproc.Alertmanager, *Client) {
	t.Helper()
	sink := httptest.NewServer(http.HandlerFunc(func(_ http.ResponseWriter, r *http.Request) {
		_, _ = io.Copy(io.Discard, r.Body)
	}))
	t.Cleanup(sink.Close)
	am := realproc.StartAlertmanager(t, sink.URL)
	return am, newClient(t, amConfig(am.URL))
}

func amConfig(url string) config.AlertmanagerConfig {
	cfg := config.DefaultAlertmanagerConfig()
	cfg.URL = url
	return cfg
}

func newClient(t testing.TB, cfg config.AlertmanagerConfig, opts ...Option) *Client {
	t.Helper()
	c, err := New(cfg, nil, opts...)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(c.Close)
	return c
}

func matcher(t testing.TB, typ labels.MatchType, name, value string) *labels.Matcher {
	t.Helper()
	m, err := labels.NewMatcher(typ, name, value)
	if err != nil {
		t.Fatal(err)
	}
	return m
}

// keys names alerts by alertname/instance, sorted, to compare lists.
func keys(alerts []Alert) []string {
	var out []string
	for _, a := range alerts {
		out = append(out, a.Labels["alertname"]+"/"+a.Labels["instance"])
	}
	slices.Sort(out)
	return out
}

func TestAlertsFilter(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	am, c := startAM(t)
	start := time.Now().Add(-time.Minute).Truncate(time.Millisecond).UTC()
	am.Post(t,
		realproc.PostableAlert{
			Labels:       map[string]string{"alertname": "DiskFull", "instance": "db1.example:9100", "severity": "critical"},
			Annotations:  map[string]string{"summary": "disk / is 97% full"},
			StartsAt:     start,
			GeneratorURL: "http://prometheus.example/graph?g0.expr=disk",
		},
		realproc.PostableAlert{Labels: map[string]string{"alertname": "DiskFull", "instance": "web1.example:9100", "severity": "warning"}},
		realproc.PostableAlert{Labels: map[string]string{"alertname": "HighLoad", "instance": "db1.example:9100", "severity": "warning"}},
		realproc.PostableAlert{Labels: map[string]string{"alertname": "Quoted", "instance": `C:\data "x"`}},
	)

	all, err := c.Alerts(ctx, AlertFilter{})
	if err != nil {
		t.Fatal(err)
	}
	if len(all) != 4 {
		t.Fatalf("got %d alerts, want 4: %v", len(all), keys(all))
	}
	i := slices.IndexFunc(all, func(a Alert) bool { return a.Labels["severity"] == "critical" })
	if i < 0 {
		t.Fatalf("no critical alert in %v", keys(all))
	}
	a := all[i]
	if a.Annotations["summary"] != "disk / is 97% full" || a.GeneratorURL != "http://prometheus.example/graph?g0.expr=disk" {
		t.Errorf("annotations %v, generator URL %q", a.Annotations, a.GeneratorURL)
	}
	if !a.StartsAt.Equal(start) || !a.EndsAt.After(time.Now()) || a.Fingerprint == "" {
		t.Errorf("startsAt %v (want %v), endsAt %v, fingerprint %q", a.StartsAt, start, a.EndsAt, a.Fingerprint)
	}
	if a.Status.State != AlertActive || len(a.Status.SilencedBy) != 0 || !slices.Equal(a.Receivers, []string{"herald"}) {
		t.Errorf("status %+v, receivers %v", a.Status, a.Receivers)
	}

	for _, tc := range []struct {
		name string
		f    AlertFilter
		want []string
	}{
		{"equal", AlertFilter{Matchers: []*labels.Matcher{matcher(t, labels.MatchEqual, "alertname", "DiskFull")}},
			[]string{"DiskFull/db1.example:9100", "DiskFull/web1.example:9100"}},
		{"regex", AlertFilter{Matchers: []*labels.Matcher{matcher(t, labels.MatchRegexp, "instance", `db1\.example:.*`)}},
			[]string{"DiskFull/db1.example:9100", "HighLoad/db1.example:9100"}},
		{"not equal", AlertFilter{Matchers: []*labels.Matcher{matcher(t, labels.MatchNotEqual, "severity", "warning")}},
			[]string{"DiskFull/db1.example:9100", `Quoted/C:\data "x"`}},
		{"not regex", AlertFilter{Matchers: []*labels.Matcher{matcher(t, labels.MatchNotRegexp, "instance", "db1.*|C:.*")}},
			[]string{"DiskFull/web1.example:9100"}},
		{"two matchers", AlertFilter{Matchers: []*labels.Matcher{
			matcher(t, labels.MatchEqual, "alertname", "DiskFull"), matcher(t, labels.MatchEqual, "severity", "warning")}},
			[]string{"DiskFull/web1.example:9100"}},
		{"quotes and backslash", AlertFilter{Matchers: []*labels.Matcher{matcher(t, labels.MatchEqual, "instance", `C:\data "x"`)}},
			[]string{`Quoted/C:\data "x"`}},
		{"receiver", AlertFilter{Receiver: "her.*"}, keys(all)},
		{"other receiver", AlertFilter{Receiver: "her"}, nil},
		{"no active", AlertFilter{Active: new(false)}, nil},
		{"no silenced", AlertFilter{Silenced: new(false), Inhibited: new(false), Unprocessed: new(false)}, keys(all)},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := c.Alerts(ctx, tc.f)
			if err != nil {
				t.Fatal(err)
			}
			if !slices.Equal(keys(got), tc.want) {
				t.Errorf("got %q, want %q", keys(got), tc.want)
			}
		})
	}
}

func TestSilenceLifecycle(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	am, c := startAM(t)
	am.Post(t,
		realproc.PostableAlert{Labels: map[string]string{"alertname": "DiskFull", "instance": "db1", "job": "node"}},
		realproc.PostableAlert{Labels: map[string]string{"alertname": "DiskFull", "instance": "db2", "job": "node"}},
	)
	db1 := []*labels.Matcher{matcher(t, labels.MatchEqual, "instance", "db1")}
	alerts, err := c.Alerts(ctx, AlertFilter{Matchers: db1})
	if err != nil || len(alerts) != 1 {
		t.Fatalf("alerts %v, %v", keys(alerts), err)
	}

	start := time.Now()
	want := Silence{
		Matchers:  MatchersFromLabels(alerts[0].Labels),
		EndsAt:    start.Add(time.Hour),
		CreatedBy: "herald-test",
		Comment:   "replacing the disk",
	}
	id, err := c.CreateSilence(ctx, want)
	if err != nil {
		t.Fatal(err)
	}

	alerts, err = c.Alerts(ctx, AlertFilter{Matchers: db1})
	if err != nil || len(alerts) != 1 {
		t.Fatalf("alerts %v, %v", keys(alerts), err)
	}
	if st := alerts[0].Status; st.State != AlertSuppressed || !slices.Equal(st.SilencedBy, []string{id}) {
		t.Errorf("silenced alert's status %+v, want suppressed by %s", st, id)
	}
	checkAlerts(t, c, AlertFilter{Silenced: new(false)}, "DiskFull/db2")
	checkAlerts(t, c, AlertFilter{Active: new(false)}, "DiskFull/db1")

	for _, tc := range []struct {
		name     string
		matchers []*labels.Matcher
		want     int
	}{
		{"all", nil, 1},
		{"holding the matcher", []*labels.Matcher{matcher(t, labels.MatchEqual, "instance", "db1")}, 1},
		{"not holding it", []*labels.Matcher{matcher(t, labels.MatchEqual, "instance", "db2")}, 0},
	} {
		sils, err := c.Silences(ctx, tc.matchers)
		if err != nil {
			t.Fatal(err)
		}
		if len(sils) != tc.want || tc.want == 1 && sils[0].ID != id {
			t.Errorf("%s: silences %+v, want %d with id %s", tc.name, sils, tc.want, id)
		}
	}

	s, err := c.Silence(ctx, id)
	if err != nil {
		t.Fatal(err)
	}
	if s.ID != id || s.Status.State != SilenceActive || !slices.Equal(s.Matchers, want.Matchers) ||
		s.CreatedBy != want.CreatedBy || s.Comment != want.Comment {
		t.Errorf("silence %+v, want %+v", s, want)
	}
	// Alertmanager keeps milliseconds.
	if s.StartsAt.Before(start.Add(-time.Second)) || s.StartsAt.After(time.Now()) || s.EndsAt.Sub(want.EndsAt).Abs() > time.Millisecond {
		t.Errorf("silence from %v to %v, want from about %v to %v", s.StartsAt, s.EndsAt, start, want.EndsAt)
	}

	if err := c.ExpireSilence(ctx, id); err != nil {
		t.Fatal(err)
	}
	if s, err := c.Silence(ctx, id); err != nil || s.Status.State != SilenceExpired {
		t.Errorf("after expiry: %+v, %v", s.Status, err)
	}
	checkAlerts(t, c, AlertFilter{Silenced: new(false)}, "DiskFull/db1", "DiskFull/db2")
	alerts, err = c.Alerts(ctx, AlertFilter{Matchers: db1})
	if err != nil || len(alerts) != 1 || alerts[0].Status.State != AlertActive || len(alerts[0].Status.SilencedBy) != 0 {
		t.Errorf("after expiry: %+v, %v", alerts, err)
	}
	if err := c.ExpireSilence(ctx, id); err != nil {
		t.Errorf("expiring twice: %v", err)
	}
}

func checkAlerts(t *testing.T, c *Client, f AlertFilter, want ...string) {
	t.Helper()
	got, err := c.Alerts(context.Background(), f)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(keys(got), want) {
		t.Errorf("filter %+v: got %q, want %q", f, keys(got), want)
	}
}

func TestSilenceNotFound(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	_, c := startAM(t)
	const unknown = "3f0d3bde-0000-4000-8000-000000000000"
	for name, call := range map[string]func() error{
		"get":           func() error { _, err := c.Silence(ctx, unknown); return err },
		"expire":        func() error { return c.ExpireSilence(ctx, unknown) },
		"update":        func() error { _, err := c.CreateSilence(ctx, silenceOf(unknown)); return err },
		"get not an id": func() error { _, err := c.Silence(ctx, "../alerts"); return err },
		"expire not an id": func() error {
			return c.ExpireSilence(ctx, "42\n"+strings.Repeat("x", 100))
		},
	} {
		t.Run(name, func(t *testing.T) {
			err := call()
			if !errors.Is(err, ErrNotFound) || IsRetryable(err) {
				t.Fatalf("err = %v, want ErrNotFound, not retryable", err)
			}
			if !strings.Contains(err.Error(), "silence not found") || strings.Contains(err.Error(), "\n") {
				t.Errorf("err = %q", err)
			}
		})
	}
}

// silenceOf is a valid silence of an hour.
func silenceOf(id string) Silence {
	return Silence{
		ID:        id,
		Matchers:  []Matcher{{Name: "alertname", Value: "DiskFull", IsEqual: true}},
		EndsAt:    time.Now().Add(time.Hour),
		CreatedBy: "herald-test",
		Comment:   "test",
	}
}

func TestRefused(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	_, c := startAM(t)
	withMatchers := func(ms ...Matcher) Silence { s := silenceOf(""); s.Matchers = ms; return s }
	backwards := silenceOf("")
	backwards.StartsAt = backwards.EndsAt.Add(time.Minute)
	for _, tc := range []struct {
		name string
		call func() error
		want string
	}{
		{"bad regex", func() error {
			_, err := c.CreateSilence(ctx, withMatchers(Matcher{Name: "instance", Value: "db(1", IsRegex: true, IsEqual: true}))
			return err
		}, `invalid regular expression`},
		{"matches everything", func() error {
			_, err := c.CreateSilence(ctx, withMatchers(Matcher{Name: "instance", Value: ".*", IsRegex: true, IsEqual: true}))
			return err
		}, `at least one matcher must not match the empty string`},
		{"no matchers", func() error { _, err := c.CreateSilence(ctx, withMatchers()); return err }, `matchers`},
		{"ends before it starts", func() error { _, err := c.CreateSilence(ctx, backwards); return err }, `start time must be before end time`},
		{"bad receiver regex", func() error { _, err := c.Alerts(ctx, AlertFilter{Receiver: "("}); return err }, `receiver`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := tc.call()
			e, ok := errors.AsType[*Error](err)
			if !ok || e.StatusCode/100 != 4 || IsRetryable(err) {
				t.Fatalf("err = %v, want a permanent 4xx *Error", err)
			}
			if !strings.Contains(e.Msg, tc.want) || !strings.Contains(err.Error(), strconv.Quote(e.Msg)) {
				t.Errorf("err = %v, Msg %q, want the reason %q", err, e.Msg, tc.want)
			}
		})
	}
}
