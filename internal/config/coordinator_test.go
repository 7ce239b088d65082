package config_test

import (
	"errors"
	"github.com/heraldhq/herald/internal/config"
	"os"
	"path/filepath"
	"sync"
	"testing"
)

const (
	goodV1 = "channels:\n  - name: v1\n    console: {}\n"
	goodV2 = "channels:\n  - name: v2\n    console: {}\n"
)

func newTestCoordinator(t *testing.T) (*config.Coordinator, func(string)) {
	t.Helper()
	path := filepath.Join(t.TempDir(), "herald.yml")
	write := func(s string) {
		t.Helper()
		if err := os.WriteFile(path, []byte(s), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	write(goodV1)
	co, err := newCoordinator(path, true, fakeEnv(nil), nil)
	if err != nil {
		t.Fatal(err)
	}
	return co, write
}

func TestCoordinatorReload(t *testing.T) {
	co, write := newTestCoordinator(t)
	if co.Current().DefaultChannel != "v1" {
		t.Fatalf("initial config = %+v", co.Current())
	}
	if ok, at := co.LastReloadSuccess(); !ok || at.IsZero() {
		t.Errorf("LastReloadSuccess after start = %v, %v", ok, at)
	}
	var seen []string
	co.Subscribe(func(c *config.Config) error { seen = append(seen, c.DefaultChannel); return nil })

	write(goodV2)
	if err := co.Reload(); err != nil {
		t.Fatal(err)
	}
	if co.Current().DefaultChannel != "v2" || len(seen) != 1 || seen[0] != "v2" {
		t.Errorf("after reload: current %q, subscriber saw %v", co.Current().DefaultChannel, seen)
	}
	_, goodAt := co.LastReloadSuccess()

	// A bad file is refused and the running config kept.
	write("channels:\n  - name: v3\n    consol: {}\n")
	err := co.Reload()
	var errs *config.Errors
	if !errors.As(err, &errs) {
		t.Fatalf("bad file: err = %v", err)
	}
	if co.Current().DefaultChannel != "v2" || len(seen) != 1 {
		t.Errorf("bad file replaced the config: %q, subscriber saw %v", co.Current().DefaultChannel, seen)
	}
	if ok, at := co.LastReloadSuccess(); ok || !at.Equal(goodAt) {
		t.Errorf("LastReloadSuccess after bad file = %v, %v (last good %v)", ok, at, goodAt)
	}

	// A file that disappears is an error too, not a switch to defaults.
	write("")
	if err := os.Remove(co.Current().File); err != nil {
		t.Fatal(err)
	}
	if err := co.Reload(); err == nil || co.Current().DefaultChannel != "v2" {
		t.Errorf("missing file: err %v, current %q", err, co.Current().DefaultChannel)
	}
}

func TestCoordinatorSubscriberRefuses(t *testing.T) {
	co, write := newTestCoordinator(t)
	var first []string
	co.Subscribe(func(c *config.Config) error { first = append(first, c.DefaultChannel); return nil })
	refuse := errors.New("template does not parse")
	co.Subscribe(func(c *config.Config) error {
		if c.DefaultChannel == "v2" {
			return refuse
		}
		return nil
	})
	write(goodV2)
	err := co.Reload()
	if !errors.Is(err, refuse) {
		t.Fatalf("err = %v", err)
	}
	if co.Current().DefaultChannel != "v1" {
		t.Errorf("refused config swapped in")
	}
	// The first subscriber accepted v2, then got v1 back.
	if len(first) != 2 || first[0] != "v2" || first[1] != "v1" {
		t.Errorf("first subscriber saw %v, want [v2 v1]", first)
	}
	if ok, _ := co.LastReloadSuccess(); ok {
		t.Errorf("LastReloadSuccess reports ok after a refusal")
	}
}

func TestCoordinatorConcurrent(t *testing.T) {
	co, write := newTestCoordinator(t)
	write(goodV2)
	var wg sync.WaitGroup
	for range 8 {
		wg.Go(func() {
			for range 20 {
				_ = co.Reload()
				_ = co.Current().Channel(co.Current().DefaultChannel)
				co.LastReloadSuccess()
			}
		})
	}
	wg.Go(func() { co.Subscribe(func(*config.Config) error { return nil }) })
	wg.Wait()
	if co.Current().DefaultChannel != "v2" {
		t.Errorf("current = %q", co.Current().DefaultChannel)
	}
}

func TestNewCoordinatorBadConfig(t *testing.T) {
	if _, err := newCoordinator("testdata/invalid-default-channel.yml", true, fakeEnv(nil), nil); err == nil {
		t.Fatal("NewCoordinator accepted a bad config")
	}
}

// TestCoordinatorReloadEmpty checks that a reload with an emptied file (a
// truncated write, a wrong volume) is refused and the channels stay.
func TestCoordinatorReloadEmpty(t *testing.T) {
	co, write := newTestCoordinator(t)
	called := 0
	co.Subscribe(func(*config.Config) error { called++; return nil })
	for _, text := range []string{"", "# all commented out\n#channels:\n"} {
		write(text)
		if err := co.Reload(); err == nil {
			t.Fatalf("reload with %q: accepted", text)
		}
		if ok, _ := co.LastReloadSuccess(); ok {
			t.Error("LastReloadSuccess = true after a refused reload")
		}
		if c := co.Current(); c.DefaultChannel != "v1" || len(c.Channels) != 1 {
			t.Errorf("after reload with %q: channels %+v", text, c.Channels)
		}
	}
	if called != 0 {
		t.Errorf("subscribers called %d times for refused files", called)
	}
}
