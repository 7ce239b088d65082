package e2e

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/heraldhq/herald/internal/testutil/fakemattermost"
	"github.com/heraldhq/herald/internal/testutil/realproc"
)

// The real Alertmanager payload reaches a Mattermost incoming webhook as
// one post with a coloured attachment, its title linking to the source
// and the chart as image_url, a link to the PNG Herald hosts; its
// resolution as a second post. Each once, and the webhook's key never in
// Herald's log.
func TestMattermostFiringAndResolved(t *testing.T) {
	fake := fakemattermost.New(t, fakemattermost.Config{})
	addr := realproc.FreePort(t)
	cfg := writeConfig(t, t.TempDir(), addr, "5s", fmt.Sprintf(`external_url: http://%s
prometheus:
  url: %s
graph:
  timeout: 5s
channels:
  - name: mm
    mattermost:
      url: %s
default_channel: mm
`, addr, fakePrometheus(t), fake.WebhookURL()))
	h := startHerald(t, cfg)
	h.postAlerts(t, "firing", 3, realPayload(t))
	posts, err := fake.WaitPosts(1, 15*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	if len(posts[0].Attachments) != 1 {
		t.Fatalf("firing post has %d attachments", len(posts[0].Attachments))
	}
	a := posts[0].Attachments[0]
	if !strings.Contains(a.Title, "HostMemoryLow") || a.Color == "" || !strings.HasPrefix(a.TitleLink, "http") {
		t.Fatalf("firing attachment: title %q colour %q link %q", a.Title, a.Color, a.TitleLink)
	}
	if a.ImageURL == "" {
		t.Fatal("firing attachment has no chart")
	}
	fetchChart(t, "mattermost", a.ImageURL)

	h.postAlerts(t, "resolved", 2, resolvedPayload(t))
	if _, err := fake.WaitPosts(2, 15*time.Second); err != nil {
		t.Fatal(err)
	}
	settle()
	posts = fake.Posts()
	if len(posts) != 2 || len(posts[1].Attachments) != 1 || posts[1].Attachments[0].Color == a.Color {
		t.Fatalf("%d posts; want firing and resolved once each, the resolved one in another colour", len(posts))
	}
	if st := fake.Stats(); st.Errors != 0 || st.TooManyRequests != 0 {
		t.Errorf("fake stats %+v", st)
	}
	if strings.Contains(h.Log.String(), fake.Key()) {
		t.Error("the webhook key appears in the log")
	}
}
