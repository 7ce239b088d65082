package e2e

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/heraldhq/herald/internal/testutil/fakefeishu"
)

// The real Alertmanager payload reaches a Feishu bot as a signed
// interactive card, red for critical, with the chart uploaded through the
// app's credentials and shown by its image key; its resolution as a green
// card. Each once, and no token, secret or app secret in Herald's log.
func TestFeishuFiringAndResolved(t *testing.T) {
	fake := fakefeishu.New(t, fakefeishu.Config{})
	cfg := writeConfig(t, t.TempDir(), "127.0.0.1:0", "5s", fmt.Sprintf(`prometheus:
  url: %s
graph:
  timeout: 5s
channels:
  - name: feishu
    feishu:
      url: %s
      secret: %s
      domain: %s
      app_id: %s
      app_secret: %s
default_channel: feishu
`, fakePrometheus(t), fake.WebhookURL(), fakefeishu.DefaultSecret, fake.URL(), fakefeishu.DefaultAppID, fakefeishu.DefaultAppSecret))
	h := startHerald(t, cfg)
	h.postAlerts(t, "firing", 3, realPayload(t))
	msgs, err := fake.WaitMessages(1, 15*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	m := msgs[0]
	if m.MsgType != "interactive" || !m.Signed || m.Colour != "red" || !strings.Contains(m.Title, "HostMemoryLow") {
		t.Fatalf("firing card: type %s signed %v colour %s title %q", m.MsgType, m.Signed, m.Colour, m.Title)
	}
	if !strings.Contains(m.AllText(), "node-2.example:9100") {
		t.Errorf("firing card lacks the instance:\n%s", m.AllText())
	}
	if len(m.ImageKeys) != 1 {
		t.Fatalf("firing card has %d images, want the chart", len(m.ImageKeys))
	}
	img, ok := fake.Images()[m.ImageKeys[0]]
	if !ok {
		t.Fatalf("image key %s was not uploaded", m.ImageKeys[0])
	}
	checkPNG(t, "feishu", img.PNG)

	h.postAlerts(t, "resolved", 2, resolvedPayload(t))
	if _, err := fake.WaitMessages(2, 15*time.Second); err != nil {
		t.Fatal(err)
	}
	settle()
	msgs = fake.Messages()
	if len(msgs) != 2 || msgs[1].Colour != "green" || !strings.Contains(msgs[1].Title, "HostMemoryLow") {
		t.Fatalf("%d messages; resolved card %+v", len(msgs), msgs[len(msgs)-1].Title)
	}
	if st := fake.Stats(); st.Errors != 0 || st.TooFast != 0 || st.Uploads < 1 {
		t.Errorf("fake stats %+v", st)
	}
	if w := fake.Warnings(); len(w) > 0 {
		t.Errorf("fake warnings %q", w)
	}
	for _, s := range []string{fakefeishu.DefaultToken, fakefeishu.DefaultSecret, fakefeishu.DefaultAppSecret} {
		if strings.Contains(h.Log.String(), s) {
			t.Errorf("a secret appears in the log: %.12s…", s)
		}
	}
}
