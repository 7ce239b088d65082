package bot

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/heraldhq/herald/internal/bot/command"
	"github.com/heraldhq/herald/internal/telegram"
)

// Containers is the Docker collectors' view for /containers.
type Containers interface {
	// Summary is the text of `herald stats`: over the last window, or the
	// whole history when window is 0.
	Summary(ctx context.Context, window time.Duration) (string, error)
	// Chart draws a figure (cpu, memory, traffic) of one host's containers,
	// or of every host's when host is "", over the last rng.
	Chart(ctx context.Context, what, host string, rng time.Duration) ([]byte, error)
}

// kindContainers is the state of /containers' buttons.
const kindContainers = "containers"

// containersState is what /containers' buttons redo.
type containersState struct {
	Window time.Duration `json:"window,omitempty"`
}

// chartFigures are the figures /containers charts.
var chartFigures = []string{"cpu", "memory", "traffic"}

// cmdContainers answers /containers [range] with the summary, and
// /containers chart <cpu|memory|traffic> [range] [host] with a chart.
func (b *Bot) cmdContainers(ctx context.Context, r *request) string {
	c := b.settings().Containers
	if c == nil {
		b.reply(ctx, r, r.t.NoCollectors)
		return "failed"
	}
	args := strings.Fields(r.cmd.Args)
	if len(args) > 0 && args[0] == "chart" {
		return b.containersChart(ctx, r, args[1:])
	}
	var window time.Duration
	if len(args) == 1 {
		d, err := command.ParseRange(args[0])
		if err != nil {
			b.reply(ctx, r, r.t.ContainersUsage)
			return "usage"
		}
		window = d
	} else if len(args) > 1 {
		b.reply(ctx, r, r.t.ContainersUsage)
		return "usage"
	}
	text, kb, err := b.containersSummary(ctx, r.chat.ID, r.t, window)
	if err != nil {
		return b.failed(ctx, r, err)
	}
	b.send(ctx, r.chat.ID, r.msg.MessageThreadID, text, kb)
	return "ok"
}

// containersSummary is the summary as a message with Refresh and chart
// buttons.
func (b *Bot) containersSummary(ctx context.Context, chat int64, t *catalog, window time.Duration) (string, *telegram.InlineKeyboardMarkup, error) {
	text, err := b.settings().Containers.Summary(ctx, window)
	if err != nil {
		return "", nil, err
	}
	key, err := b.key(ctx)
	if err != nil {
		return "", nil, err
	}
	id, err := b.save(ctx, kindContainers, chat, containersState{Window: window}, pageTTL)
	if err != nil {
		return "", nil, err
	}
	kb := &telegram.InlineKeyboardMarkup{InlineKeyboard: [][]telegram.InlineKeyboardButton{
		{b.button(key, t.ButtonRefresh, "r", id)},
		{b.button(key, t.ButtonCPU, "c0", id), b.button(key, t.ButtonMemory, "c1", id), b.button(key, t.ButtonTraffic, "c2", id)},
	}}
	return "<pre>" + esc(cut(text, 3800)) + "</pre>", kb, nil
}

// containersChart answers /containers chart <figure> [range] [host].
func (b *Bot) containersChart(ctx context.Context, r *request, args []string) string {
	if len(args) == 0 || !slices.Contains(chartFigures, args[0]) {
		b.reply(ctx, r, r.t.ContainersUsage)
		return "usage"
	}
	what, rng, host := args[0], 24*time.Hour, ""
	for _, a := range args[1:] {
		if d, err := command.ParseRange(a); err == nil {
			rng = d
		} else if host == "" {
			host = a
		} else {
			b.reply(ctx, r, r.t.ContainersUsage)
			return "usage"
		}
	}
	return b.drawContainers(ctx, r.chat.ID, r.msg.MessageThreadID, r.t, what, host, rng)
}

// drawContainers sends a chart of the collected figures.
func (b *Bot) drawContainers(ctx context.Context, chat, thread int64, t *catalog, what, host string, rng time.Duration) string {
	png, err := b.settings().Containers.Chart(ctx, what, host, rng)
	if err != nil {
		b.send(ctx, chat, thread, fmt.Sprintf(t.ChartFailed, esc(err.Error())), nil)
		return "failed"
	}
	where := host
	if where == "" {
		where = "*"
	}
	b.sendPhoto(ctx, chat, thread, 0, "<b>"+esc(what)+"</b> · "+esc(where)+" · "+shortDuration(rng), png, nil)
	return "ok"
}

// containersPressed refreshes the summary in place (r) or draws one of
// its charts (cN) over a day.
func (b *Bot) containersPressed(ctx context.Context, p *press) string {
	var st containersState
	if json.Unmarshal(p.state.Data, &st) != nil || b.settings().Containers == nil {
		b.answer(ctx, p.q, p.t.ButtonBad, true)
		return "usage"
	}
	switch {
	case p.action == "r":
		text, kb, err := b.containersSummary(ctx, p.chat.ID, p.t, st.Window)
		return b.showPage(ctx, p, text, kb, err)
	case strings.HasPrefix(p.action, "c"):
		i, err := strconv.Atoi(p.action[1:])
		if err != nil || i < 0 || i >= len(chartFigures) {
			break
		}
		b.answer(ctx, p.q, "", false)
		return b.drawContainers(ctx, p.chat.ID, threadOf(p.q.Message), p.t, chartFigures[i], "", 24*time.Hour)
	}
	b.answer(ctx, p.q, p.t.ButtonBad, true)
	return "usage"
}
