package bot_test

import (
	"bytes"
	"context"
	"image"
	"image/color"
	"image/png"
	"slices"
	"sync"
	"time"

	amtemplate "github.com/prometheus/alertmanager/template"

	"github.com/heraldhq/herald/internal/graph"
)

// clock is the bot's injected time. It starts at the real time, because
// the real Alertmanager refuses silences that end in its past.
type clock struct {
	mu  sync.Mutex
	now time.Time
}

func newClock() *clock { return &clock{now: time.Now().UTC().Truncate(time.Second)} }

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

// Add moves the clock by d.
func (c *clock) Add(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
}

// charts is a recording bot.Charts that draws a tiny PNG: the charts
// themselves are internal/graph's to test.
type charts struct {
	mu      sync.Mutex
	queries []graph.QueryChart
	redraws []redraw
}

type redraw struct {
	alert amtemplate.Alert
	rng   time.Duration
}

func (c *charts) Query(_ context.Context, q graph.QueryChart) ([]byte, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.queries = append(c.queries, q)
	return tinyPNG(), nil
}

func (c *charts) Redraw(_ context.Context, a amtemplate.Alert, rng time.Duration) ([]byte, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.redraws = append(c.redraws, redraw{a, rng})
	return tinyPNG(), nil
}

func (c *charts) Queries() []graph.QueryChart {
	c.mu.Lock()
	defer c.mu.Unlock()
	return slices.Clone(c.queries)
}

func (c *charts) Redraws() []redraw {
	c.mu.Lock()
	defer c.mu.Unlock()
	return slices.Clone(c.redraws)
}

// tinyPNG is a valid 8×6 PNG, which the fake Bot API decodes.
func tinyPNG() []byte {
	img := image.NewRGBA(image.Rect(0, 0, 8, 6))
	for x := range 8 {
		img.Set(x, 3, color.RGBA{R: 200, A: 255})
	}
	var b bytes.Buffer
	if err := png.Encode(&b, img); err != nil {
		panic(err)
	}
	return b.Bytes()
}

// routes is a fake bot.Routes: the channels of each chat, and which
// alerts a chat receives (a label a chat is keyed on: team=<chat's team>).
type routes struct {
	mu       sync.Mutex
	channels map[int64][]string
	// teams maps a chat to the value of the "team" label it receives;
	// a chat without one receives nothing.
	teams map[int64]string
}

func newRoutes() *routes { return &routes{channels: map[int64][]string{}, teams: map[int64]string{}} }

func (r *routes) Channels(chat int64) []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	return slices.Clone(r.channels[chat])
}

func (r *routes) Receives(chat int64, labels map[string]string) bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	team, ok := r.teams[chat]
	return ok && labels["team"] == team
}

// set gives chat its channels and the team whose alerts it receives.
func (r *routes) set(chat int64, team string, channels ...string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.channels[chat] = channels
	r.teams[chat] = team
}
