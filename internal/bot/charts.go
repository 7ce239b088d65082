package bot

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/heraldhq/herald/internal/bot/command"
	"github.com/heraldhq/herald/internal/config"
	"github.com/heraldhq/herald/internal/graph"
	"github.com/heraldhq/herald/internal/telegram"
)

// cmdGraph draws any PromQL expression: /graph <promql> [range].
func (b *Bot) cmdGraph(ctx context.Context, r *request) string {
	g, err := command.ParseGraph(r.cmd.Args)
	if err != nil {
		return b.usage(ctx, r, err)
	}
	if b.settings().Charts == nil {
		b.reply(ctx, r, r.t.NoProm)
		return "failed"
	}
	png, err := b.settings().Charts.Query(ctx, graph.QueryChart{Query: g.Query, Range: g.Range})
	if err != nil {
		b.reply(ctx, r, fmt.Sprintf(r.t.ChartFailed, esc(err.Error())))
		return "failed"
	}
	b.sendPhoto(ctx, r.chat.ID, r.msg.MessageThreadID, r.msg.MessageID,
		"<code>"+esc(cut(g.Query, 900))+"</code> · "+shortDuration(g.Range), png, nil)
	return "ok"
}

// cmdChart draws saved charts: /chart <name> [range], or every saved
// chart with /hour, /day and /week.
func (b *Bot) cmdChart(ctx context.Context, r *request) string {
	charts := b.settings().cfg.Charts
	if len(charts) == 0 {
		b.reply(ctx, r, r.t.NoCharts)
		return "usage"
	}
	if b.settings().Charts == nil {
		b.reply(ctx, r, r.t.NoProm)
		return "failed"
	}
	var (
		pick []config.ChartConfig
		rng  time.Duration
		name string
	)
	if r.cmd.Name == "chart" {
		n, d, err := command.ParseChart(r.cmd.Args)
		if err != nil {
			return b.usage(ctx, r, err)
		}
		name, rng = n, d
	} else {
		// /hour, /day, /week: every saved chart, or the one named.
		rng, _ = command.ParseRange(r.cmd.Name)
		name = strings.TrimSpace(r.cmd.Args)
	}
	for _, c := range charts {
		if name == "" || c.Name == name {
			pick = append(pick, c)
		}
	}
	if len(pick) == 0 {
		names := make([]string, len(charts))
		for i, c := range charts {
			names[i] = c.Name
		}
		b.reply(ctx, r, fmt.Sprintf(r.t.UnknownChart, "<code>"+esc(cut(name, 64))+"</code>", esc(strings.Join(names, ", "))))
		return "usage"
	}
	result := "ok"
	for _, c := range pick {
		d := rng
		if d <= 0 {
			d = c.Range.D()
		}
		title := c.Title
		if title == "" {
			title = c.Name
		}
		png, err := b.settings().Charts.Query(ctx, graph.QueryChart{Title: title, Local: c.Source == config.ChartLocal,
			Query: c.Query, Unit: c.Unit, Thresholds: c.Thresholds, Range: d})
		if err != nil {
			b.reply(ctx, r, fmt.Sprintf(r.t.ChartFailed, esc(c.Name+": "+err.Error())))
			result = "failed"
			continue
		}
		b.sendPhoto(ctx, r.chat.ID, r.msg.MessageThreadID, 0, "<b>"+esc(title)+"</b> · "+shortDuration(d), png, nil)
	}
	return result
}

// sendPhoto sends a chart with a caption (HTML) and optional keyboard,
// replying to replyTo when it is not 0.
func (b *Bot) sendPhoto(ctx context.Context, chat, thread, replyTo int64, caption string, png []byte, kb *telegram.InlineKeyboardMarkup) *telegram.Message {
	p := &telegram.SendPhotoParams{ChatID: strconv.FormatInt(chat, 10), MessageThreadID: int(thread), Caption: caption,
		ParseMode: telegram.ParseModeHTML, ReplyMarkup: kb}
	if replyTo != 0 {
		p.ReplyParameters = &telegram.ReplyParameters{MessageID: replyTo, AllowSendingWithoutReply: true}
	}
	m, _, err := b.opts.Client.SendPhoto(ctx, p, png)
	if err != nil {
		b.logger.Warn("cannot send a chart", "chat_id", chat, "err", err)
		return nil
	}
	return m
}

// cut shortens s to n bytes at a rune boundary.
func cut(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && s[n]&0xC0 == 0x80 {
		n--
	}
	return s[:n] + "…"
}
