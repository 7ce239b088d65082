package bot_test

import (
	"io"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/heraldhq/herald/internal/alertmanager"
	"github.com/heraldhq/herald/internal/config"
	"github.com/heraldhq/herald/internal/testutil/realproc"
)

// startAlertmanager runs a real Alertmanager for the test (skipped
// locally when it is not installed, failed under CI) and returns it with
// Herald's client of it.
func startAlertmanager(t *testing.T) (*realproc.Alertmanager, *alertmanager.Client) {
	t.Helper()
	realproc.Binary(t, "prometheus-alertmanager", "alertmanager")
	sink := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { io.Copy(io.Discard, r.Body) }))
	t.Cleanup(sink.Close)
	am := realproc.StartAlertmanager(t, sink.URL)
	c, err := alertmanager.New(config.AlertmanagerConfig{URL: am.URL, HTTP: config.DefaultHTTPClientConfig(),
		Timeout: config.Duration(10 * time.Second)}, nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(c.Close)
	return am, c
}

// silences are Alertmanager's silences in state.
func silences(t *testing.T, c *alertmanager.Client, state alertmanager.SilenceState) []alertmanager.Silence {
	t.Helper()
	all, err := c.Silences(ctx(t), nil)
	if err != nil {
		t.Fatal(err)
	}
	var out []alertmanager.Silence
	for _, s := range all {
		if s.Status.State == state {
			out = append(out, s)
		}
	}
	return out
}

func TestSilenceButtons(t *testing.T) {
	t.Parallel()
	_, am := startAlertmanager(t)
	e := newEnv(t)
	e.deps.Alertmanager = am
	e.start()
	a := diskFull(e.clock)
	msg := e.alertMessage(groupID, "ops", a, "")
	charts := []string{"📈 6h", "📈 1d", "📈 1w"}
	initial := [][]string{{"🔕 1h", "🔕 4h", "🔕 1d"}, {"✅ Ack"}, charts}
	if got := e.keyboard(groupID, msg); !slices.EqualFunc(got, initial, slices.Equal) {
		t.Fatalf("keyboard %v, want %v", got, initial)
	}

	ans, calls := e.press(groupID, msg, bob, "🔕 1h")
	if ans.Text != "Only the bot's admins can do that here." || len(calls) != 0 {
		t.Errorf("Bob's silence: %+v, calls %+v", ans, calls)
	}
	if got := silences(t, am, alertmanager.SilenceActive); len(got) != 0 {
		t.Fatalf("Bob's press made silences %+v", got)
	}

	until := e.clock.Now().Add(time.Hour).UTC().Format("15:04 UTC")
	ans, _ = e.press(groupID, msg, alice, "🔕 1h")
	if ans.Text != "Silenced until "+until {
		t.Errorf("Alice's silence: %+v", ans)
	}
	active := silences(t, am, alertmanager.SilenceActive)
	if len(active) != 1 {
		t.Fatalf("%d active silences, want 1: %+v", len(active), active)
	}
	sil := active[0]
	if sil.CreatedBy != "@alice" || !strings.Contains(sil.Comment, "Telegram") || !strings.Contains(sil.Comment, "Herald") {
		t.Errorf("silence by %q, comment %q", sil.CreatedBy, sil.Comment)
	}
	if d := sil.EndsAt.Sub(e.clock.Now()); d < time.Hour-time.Second || d > time.Hour+time.Second {
		t.Errorf("the silence ends %v from now, want 1h", d)
	}
	want := map[string]string{}
	for _, m := range sil.Matchers {
		if m.IsRegex || !m.IsEqual {
			t.Errorf("matcher %v, want an equality", m)
		}
		want[m.Name] = m.Value
	}
	if len(want) != len(a.Labels) || want["alertname"] != "DiskFull" || want["instance"] != "db1" || want["team"] != "a" {
		t.Errorf("silence matchers %v, want the alert's labels %v", sil.Matchers, a.Labels)
	}
	silenced := [][]string{{"🔕 @alice until " + until, "↩️ Undo"}, {"✅ Ack"}, charts}
	if got := e.keyboard(groupID, msg); !slices.EqualFunc(got, silenced, slices.Equal) {
		t.Errorf("after the silence %v, want %v", got, silenced)
	}
	ans, calls = e.press(groupID, msg, bob, "🔕 @alice until "+until)
	if ans.Text != "🔕 @alice until "+until || len(calls) != 0 {
		t.Errorf("pressing who silenced: %+v, calls %+v", ans, calls)
	}
	ans, _ = e.press(groupID, msg, bob, "↩️ Undo")
	if ans.Text != "Only the bot's admins can do that here." || len(silences(t, am, alertmanager.SilenceActive)) != 1 {
		t.Errorf("Bob's undo: %+v", ans)
	}

	// Acknowledging a silenced alert keeps the silence and its Undo shown.
	e.press(groupID, msg, alice, "✅ Ack")
	ackedSilenced := [][]string{{"🔕 @alice until " + until, "↩️ Undo"}, {"✅ @alice"}, charts}
	if got := e.keyboard(groupID, msg); !slices.EqualFunc(got, ackedSilenced, slices.Equal) {
		t.Errorf("after the ack %v, want %v", got, ackedSilenced)
	}

	ans, _ = e.press(groupID, msg, alice, "↩️ Undo")
	if ans.Text != "Silence removed" {
		t.Errorf("Alice's undo: %+v", ans)
	}
	if got := silences(t, am, alertmanager.SilenceActive); len(got) != 0 {
		t.Errorf("active after the undo: %+v", got)
	}
	if got := silences(t, am, alertmanager.SilenceExpired); len(got) != 1 || got[0].ID != sil.ID {
		t.Errorf("expired %+v, want the button's silence", got)
	}
	undone := [][]string{{"🔕 1h", "🔕 4h", "🔕 1d"}, {"✅ @alice"}, charts}
	if got := e.keyboard(groupID, msg); !slices.EqualFunc(got, undone, slices.Equal) {
		t.Errorf("after the undo %v, want %v", got, undone)
	}
	actions, _ := e.store.Actions(ctx(t), 10)
	var kinds []string
	for _, a := range actions {
		kinds = append(kinds, a.Kind)
	}
	slices.Sort(kinds)
	if !slices.Equal(kinds, []string{"ack", "silence", "unsilence"}) {
		t.Errorf("recorded %v", kinds)
	}

	// The Undo is there for undo_for (10m); later it has expired.
	// Silencing an acknowledged alert keeps who acknowledged it.
	e.press(groupID, msg, alice, "🔕 4h")
	later := e.clock.Now().Add(4 * time.Hour).UTC().Format("15:04 UTC")
	again := [][]string{{"🔕 @alice until " + later, "↩️ Undo"}, {"✅ @alice"}, charts}
	if got := e.keyboard(groupID, msg); !slices.EqualFunc(got, again, slices.Equal) {
		t.Errorf("silenced after the ack %v, want %v", got, again)
	}
	e.clock.Add(11 * time.Minute)
	ans, _ = e.press(groupID, msg, alice, "↩️ Undo")
	if ans.Text != "This button has expired." || len(silences(t, am, alertmanager.SilenceActive)) != 1 {
		t.Errorf("a late undo: %+v", ans)
	}
}
