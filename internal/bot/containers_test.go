package bot_test

import (
	"context"
	"errors"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/heraldhq/herald/internal/testutil/faketelegram"
)

// fakeContainers records what /containers asks of the collectors.
type fakeContainers struct {
	mu      sync.Mutex
	windows []time.Duration
	charts  []string
}

func (f *fakeContainers) Summary(_ context.Context, window time.Duration) (string, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.windows = append(f.windows, window)
	return "Docker: 2 hosts (1 answering) <all>", nil
}

func (f *fakeContainers) Chart(_ context.Context, what, host string, rng time.Duration) ([]byte, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.charts = append(f.charts, what+" "+host+" "+rng.String())
	if host == "gone" {
		return nil, errors.New("no data for host gone")
	}
	return tinyPNG(), nil
}

func TestContainers(t *testing.T) {
	t.Parallel()
	fc := &fakeContainers{}
	e := newEnv(t)
	e.deps.Containers = fc
	e.start()
	summary := e.ask(groupID, bob, "/containers")
	mustContain(t, "/containers", summary, "<pre>Docker: 2 hosts (1 answering) &lt;all&gt;</pre>")
	e.ask(groupID, bob, "/containers week")
	for _, bad := range []string{"/containers fortnight", "/containers chart", "/containers chart disk", "/containers chart cpu day a b"} {
		mustContain(t, bad, e.ask(groupID, bob, bad), "/containers chart cpu|memory|traffic")
	}
	n := len(e.tg.Calls())
	e.say(groupID, bob, "/containers chart cpu week web1")
	e.say(groupID, bob, "/containers chart traffic")
	e.say(groupID, bob, "/containers chart memory gone")
	photos := only(e.since(n), "sendPhoto")
	if len(photos) != 2 || photos[0].Params["caption"] != "<b>cpu</b> · web1 · 1w" {
		t.Errorf("charts sent: %+v", photos)
	}
	fc.mu.Lock()
	got := strings.Join(fc.charts, "; ")
	windows := fc.windows
	fc.mu.Unlock()
	if got != "cpu web1 168h0m0s; traffic  24h0m0s; memory gone 24h0m0s" {
		t.Errorf("charts asked: %s", got)
	}
	if len(windows) != 2 || windows[0] != 0 || windows[1] != 7*24*time.Hour {
		t.Errorf("summary windows %v", windows)
	}

	// The buttons: Refresh edits the summary in place, a chart button draws a day.
	var msg faketelegram.Message
	for _, m := range e.tg.Messages() {
		if strings.Contains(m.Plain, "Docker: 2 hosts") {
			msg = m
		}
	}
	n = len(e.tg.Calls())
	if _, err := e.tg.Press(msg.ChatID, msg.ID, bob.ID, "📈 CPU"); err != nil {
		t.Fatal(err)
	}
	e.handled()
	if photos := only(e.since(n), "sendPhoto"); len(photos) != 1 {
		t.Errorf("the CPU button sent %d charts", len(photos))
	}
	if _, err := e.tg.Press(msg.ChatID, msg.ID, bob.ID, "🔄 Refresh"); err != nil {
		t.Fatal(err)
	}
	e.handled()
	fc.mu.Lock()
	defer fc.mu.Unlock()
	if len(fc.windows) != 3 || fc.windows[2] != 7*24*time.Hour {
		t.Errorf("Refresh asked for windows %v, want the week again", fc.windows)
	}
}

func TestContainersWithoutCollectors(t *testing.T) {
	t.Parallel()
	e := newEnv(t).start()
	mustContain(t, "/containers", e.ask(groupID, bob, "/containers"), "collectors.docker.hosts")
}
