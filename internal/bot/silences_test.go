package bot_test

import (
	"fmt"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/heraldhq/herald/internal/alertmanager"
	"github.com/heraldhq/herald/internal/testutil/faketelegram"
)

var silenceIDRE = regexp.MustCompile(`id <code>([0-9a-f-]{36})</code>`)

func TestSilenceCommands(t *testing.T) {
	t.Parallel()
	_, am := startAlertmanager(t)
	e := newEnv(t)
	e.deps.Alertmanager = am
	e.start()

	if got := e.ask(groupID, bob, "/silences"); got != "No active silences." {
		t.Errorf("/silences: %q", got)
	}
	until := e.clock.Now().Add(2 * time.Hour).UTC().Format("15:04 UTC")
	got := e.ask(groupID, alice, `/silence alertname="DiskFull", instance="db1" 2h disk replaced tomorrow`)
	mustContain(t, "/silence", got, "Silenced until "+until)
	m := silenceIDRE.FindStringSubmatch(got)
	if m == nil {
		t.Fatalf("no silence id in %q", got)
	}
	id := m[1]
	active := silences(t, am, alertmanager.SilenceActive)
	if len(active) != 1 || active[0].ID != id {
		t.Fatalf("active silences %+v, want %s", active, id)
	}
	sil := active[0]
	if sil.CreatedBy != "@alice" || !strings.HasPrefix(sil.Comment, "disk replaced tomorrow — Created from Telegram") ||
		!strings.Contains(sil.Comment, fmt.Sprint(groupID)) {
		t.Errorf("created by %q, comment %q", sil.CreatedBy, sil.Comment)
	}
	if got := formatMatchers(sil.Matchers); got != `alertname="DiskFull" instance="db1"` {
		t.Errorf("matchers %s", got)
	}
	if d := sil.EndsAt.Sub(e.clock.Now()); d < 2*time.Hour-time.Second || d > 2*time.Hour+time.Second {
		t.Errorf("ends in %v, want 2h", d)
	}

	list := e.ask(groupID, bob, "/silences")
	mustContain(t, "/silences", list, "Active silences: 1", "<code>"+id[:8]+"</code>",
		`{alertname=&#34;DiskFull&#34;, instance=&#34;db1&#34;}`, "@alice", "disk replaced tomorrow")

	for _, text := range []string{`/silence alertname="X" 1h`, "/unsilence " + id[:8]} {
		if got := e.ask(groupID, bob, text); got != "Only the bot's admins can do that here." {
			t.Errorf("Bob's %q: %q", text, got)
		}
	}
	for _, bad := range []string{`/silence alertname="X" 99d`, `/silence alertname="X"`, "/silence 2h", "/silence",
		`/silence alertname=~".*" 1h`, `/silence alertname="X" 2 parsecs`, "/unsilence", "/unsilence xyz", "/unsilence 3f2a"} {
		mustContain(t, bad, e.ask(groupID, alice, bad), "Example: <code>/")
	}
	if got := silences(t, am, alertmanager.SilenceActive); len(got) != 1 {
		t.Errorf("refused commands made silences: %+v", got)
	}
	if got := e.ask(groupID, alice, "/unsilence deadbeef"); got != "There is no active silence <code>deadbeef</code>." {
		t.Errorf("an unknown prefix: %q", got)
	}

	if got := e.ask(groupID, alice, "/unsilence "+id[:8]); got != "Silence <code>"+id+"</code> expired." {
		t.Errorf("/unsilence: %q", got)
	}
	if got := silences(t, am, alertmanager.SilenceExpired); len(got) != 1 || got[0].ID != id {
		t.Errorf("expired %+v", got)
	}
	if got := e.ask(groupID, bob, "/silences"); got != "No active silences." {
		t.Errorf("/silences after /unsilence: %q", got)
	}
	actions, _ := e.store.Actions(ctx(t), 10)
	if len(actions) != 2 {
		t.Errorf("recorded %+v, want the silence and the unsilence", actions)
	}
}

// TestManySilencesFitOneMessage: Alertmanager may hold many silences with
// long matchers; /silences still answers within Telegram's 4096
// characters.
func TestManySilencesFitOneMessage(t *testing.T) {
	t.Parallel()
	_, am := startAlertmanager(t)
	e := newEnv(t)
	e.deps.Alertmanager = am
	e.start()
	now := e.clock.Now()
	for i := range 40 {
		s := alertmanager.Silence{StartsAt: now, EndsAt: now.Add(time.Duration(i+1) * time.Hour), CreatedBy: "someone.with.a.long@email.example.com",
			Comment: strings.Repeat("a long reason for the silence ", 6)}
		for _, name := range []string{"alertname", "instance", "job", "cluster", "namespace", "pod"} {
			s.Matchers = append(s.Matchers, alertmanager.Matcher{Name: name, Value: fmt.Sprintf("%s-value-number-%d-of-some-length", name, i), IsEqual: true})
		}
		if _, err := am.CreateSilence(ctx(t), s); err != nil {
			t.Fatal(err)
		}
	}
	calls := e.say(groupID, bob, "/silences")
	sent := only(calls, "sendMessage")
	if len(sent) != 1 || !sent[0].OK {
		t.Fatalf("/silences of 40 silences: %+v", sent)
	}
	text := sent[0].Params["text"]
	mustContain(t, "/silences", text, "Active silences: 40", "… +")
	if plain, err := faketelegram.ParseHTML(text); err != nil || faketelegram.UTF16Len(plain) > faketelegram.MaxTextLength {
		t.Errorf("%d characters (%v)", faketelegram.UTF16Len(plain), err)
	}
}

// TestSilencesWithoutAlertmanager: the silence commands say what they need.
func TestSilencesWithoutAlertmanager(t *testing.T) {
	t.Parallel()
	e := newEnv(t).start()
	for _, text := range []string{`/silence alertname="DiskFull" 2h`, "/silences", "/unsilence 3f2a1b4c"} {
		mustContain(t, text, e.ask(groupID, alice, text), "Silences need Alertmanager", "<code>alertmanager.url</code>")
	}
	mustContain(t, "a bad duration", e.ask(groupID, alice, `/silence alertname="DiskFull" 2y3`), "Example: <code>/silence")
}

func formatMatchers(ms []alertmanager.Matcher) string {
	var parts []string
	for _, m := range ms {
		parts = append(parts, m.String())
	}
	return strings.Join(parts, " ")
}
