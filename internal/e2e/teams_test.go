package e2e

import (
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/heraldhq/herald/internal/testutil/faketeams"
)

// teamsConfig writes a herald.yml whose only channel posts to the fake
// Teams webhook.
func teamsConfig(t *testing.T, fake *faketeams.Server, dir string) string {
	t.Helper()
	return writeConfig(t, dir, "127.0.0.1:0", "5s", fmt.Sprintf(`channels:
  - name: teams-ops
    teams:
      url: %q
default_channel: teams-ops
`, fake.URL()))
}

func TestTeamsFiringAndResolvedDeliveredOnce(t *testing.T) {
	fake := faketeams.New(t, faketeams.Config{}) // Teams' own rate limits
	h := startHerald(t, teamsConfig(t, fake, t.TempDir()))
	job := `node*_<&>_[日本語](x) 🚀`
	h.postAlerts(t, "firing", 3, realPayload(t, withJob(job)...))
	if _, err := fake.WaitMessages(1, 10*time.Second); err != nil {
		t.Fatal(err)
	}
	h.postAlerts(t, "resolved", 2, resolvedPayload(t, withJob(job)...))
	if _, err := fake.WaitMessages(2, 10*time.Second); err != nil {
		t.Fatal(err)
	}
	settle()
	msgs := fake.Messages()
	if len(msgs) != 2 {
		t.Fatalf("%d cards, want firing and resolved once each", len(msgs))
	}

	fire := msgs[0]
	if fire.Version != "1.4" || fire.Style != "attention" {
		t.Errorf("firing card version %q style %q", fire.Version, fire.Style)
	}
	if !strings.HasPrefix(fire.Plain, "🔥 HostMemoryLow · critical on node-2.example:9100\n") {
		t.Errorf("firing card:\n%s", fire.Plain)
	}
	wantFacts := []faketeams.Fact{{Title: "instance", Value: "node-2.example:9100"}, {Title: "job", Value: job}}
	if len(fire.Facts) != 2 || fire.Facts[0] != wantFacts[0] || faketeams.Unescape(fire.Facts[1].Value) != job {
		t.Errorf("firing facts %+v, want %+v", fire.Facts, wantFacts)
	}
	if got := buttonTitles(fire); !slices.Equal(got, []string{"Source", "Silence"}) {
		t.Errorf("firing buttons %v", got)
	}
	if !strings.HasPrefix(fire.Actions[1].URL, "http://alertmanager.example:9093/#/silences/new?filter=") {
		t.Errorf("silence link %q", fire.Actions[1].URL)
	}

	res := msgs[1]
	if res.Style != "good" || !strings.HasPrefix(res.Plain, "✅ RESOLVED: HostMemoryLow on node-2.example:9100\n") ||
		!strings.Contains(res.Plain, "resolved after 10m") {
		t.Errorf("resolved card (style %q):\n%s", res.Style, res.Plain)
	}
	if got := buttonTitles(res); !slices.Equal(got, []string{"Source"}) {
		t.Errorf("resolved buttons %v: no silence for a resolved alert", got)
	}

	if st := fake.Stats(); st.TooManyRequests != 0 || st.Rejected != 0 {
		t.Errorf("the fake refused posts: %+v", st)
	}
	if strings.Contains(h.Log.String(), fake.Sig()) {
		t.Error("the webhook's signature appears in the log")
	}
}

func buttonTitles(m faketeams.Message) []string {
	var out []string
	for _, a := range m.Actions {
		out = append(out, a.Title)
	}
	return out
}
