package bot

import (
	"context"
	"encoding/json"
	"fmt"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/prometheus/alertmanager/pkg/labels"
	amtemplate "github.com/prometheus/alertmanager/template"

	"github.com/heraldhq/herald/internal/alertmanager"
	"github.com/heraldhq/herald/internal/bot/command"
	"github.com/heraldhq/herald/internal/telegram"
)

// alertsPerPage is how many alerts one /alerts message lists.
const alertsPerPage = 10

// pageTTL is how long list paging buttons work.
const pageTTL = 24 * time.Hour

// pageState is a paged list: what was asked, to ask again for another page.
type pageState struct {
	List string `json:"list"` // "alerts"
	Args string `json:"args"`
	All  bool   `json:"all"`
}

// cmdAlerts lists what is firing: /alerts [all] [matchers]. Everyone sees
// only the alerts their chat would receive; admins may ask for all.
func (b *Bot) cmdAlerts(ctx context.Context, r *request, page int) string {
	args := strings.TrimSpace(r.cmd.Args)
	all := false
	if rest, ok := strings.CutPrefix(args, "all"); ok && (rest == "" || rest[0] == ' ') {
		if !r.admin {
			b.reply(ctx, r, r.t.AdminsOnly)
			return "refused"
		}
		all, args = true, strings.TrimSpace(rest)
	}
	text, kb, err := b.alertsPage(ctx, r.chat.ID, r.t, pageState{List: "alerts", Args: args, All: all}, page, 0)
	if err != nil {
		return b.usage(ctx, r, err)
	}
	b.send(ctx, r.chat.ID, r.msg.MessageThreadID, text, kb)
	return "ok"
}

// alertsPage renders page of a list of alerts and its paging buttons; id
// is the page state's id when it is saved already (0 to save it).
func (b *Bot) alertsPage(ctx context.Context, chat int64, t *catalog, ps pageState, page int, id int64) (string, *telegram.InlineKeyboardMarkup, error) {
	var ms labels.Matchers
	if ps.Args != "" {
		var err error
		if ms, err = command.ParseMatchers(ps.Args); err != nil {
			return "", nil, err
		}
	}
	alerts, source, err := b.firing(ctx, t, ms)
	if err != nil {
		return "", nil, err
	}
	var mine []amtemplate.Alert
	for _, a := range alerts {
		if ps.All || b.opts.Routes.Receives(chat, a.Labels) {
			mine = append(mine, a)
		}
	}
	if len(mine) == 0 {
		return t.AlertsNone + "\n<i>" + source + "</i>", nil, nil
	}
	now := b.now()
	lines := make([]string, len(mine))
	for i, a := range mine {
		lines[i] = alertLine(a, now)
	}
	starts := pageStarts(lines)
	pages := len(starts)
	page = max(0, min(page, pages-1))
	end := len(lines)
	if page+1 < pages {
		end = starts[page+1]
	}
	var sb strings.Builder
	fmt.Fprintf(&sb, t.AlertsHeader, len(mine), page+1, pages)
	sb.WriteString(" <i>" + source + "</i>")
	for _, l := range lines[starts[page]:end] {
		sb.WriteString("\n" + l)
	}
	if pages == 1 {
		return sb.String(), nil, nil
	}
	key, err := b.key(ctx)
	if err != nil {
		return "", nil, err
	}
	if id == 0 {
		if id, err = b.save(ctx, kindPage, chat, ps, pageTTL); err != nil {
			return "", nil, err
		}
	}
	var row []telegram.InlineKeyboardButton
	if page > 0 {
		row = append(row, b.button(key, t.ButtonPrev, "p"+strconv.Itoa(page-1), id))
	}
	row = append(row, b.button(key, t.ButtonRefresh, "p"+strconv.Itoa(page), id))
	if page < pages-1 {
		row = append(row, b.button(key, t.ButtonNext, "p"+strconv.Itoa(page+1), id))
	}
	return sb.String(), &telegram.InlineKeyboardMarkup{InlineKeyboard: [][]telegram.InlineKeyboardButton{row}}, nil
}

// pageHeader is room for a page's header (count, page, source) in
// maxListBytes.
const pageHeader = 300

// pageStarts splits lines into pages of at most alertsPerPage lines that
// fit one message with their header, and returns where each page starts.
// A line is at most about 3000 bytes (alertLine cuts every value), so
// each page holds at least one.
func pageStarts(lines []string) []int {
	var starts []int
	n, size := 0, 0
	for i, l := range lines {
		if i == 0 || n == alertsPerPage || size+len(l)+1 > maxListBytes-pageHeader {
			starts = append(starts, i)
			n, size = 0, 0
		}
		n++
		size += len(l) + 1
	}
	return starts
}

// firing lists the alerts firing now, from Alertmanager when it is
// configured (active ones: not silenced, not inhibited), else from the
// store, sorted by alert name and start.
func (b *Bot) firing(ctx context.Context, t *catalog, ms labels.Matchers) ([]amtemplate.Alert, string, error) {
	var out []amtemplate.Alert
	source := t.AlertsFromDB
	if am := b.settings().Alertmanager; am != nil {
		source = t.AlertsFromAM
		active := true
		list, err := am.Alerts(ctx, alertmanager.AlertFilter{Matchers: ms, Active: &active, Silenced: new(false), Inhibited: new(false)})
		if err != nil {
			return nil, "", err
		}
		for _, a := range list {
			out = append(out, amtemplate.Alert{Status: "firing", Labels: a.Labels, Annotations: a.Annotations,
				StartsAt: a.StartsAt, EndsAt: a.EndsAt, GeneratorURL: a.GeneratorURL, Fingerprint: a.Fingerprint})
		}
	} else {
		list, err := b.opts.Store.Firing(ctx)
		if err != nil {
			return nil, "", err
		}
		for _, a := range list {
			if matches(ms, a.Labels) {
				out = append(out, a)
			}
		}
	}
	sort.SliceStable(out, func(i, j int) bool {
		if ni, nj := out[i].Labels["alertname"], out[j].Labels["alertname"]; ni != nj {
			return ni < nj
		}
		return out[i].StartsAt.Before(out[j].StartsAt)
	})
	return out, source, nil
}

func matches(ms labels.Matchers, kv map[string]string) bool {
	for _, m := range ms {
		if !m.Matches(kv[m.Name]) {
			return false
		}
	}
	return true
}

// alertLine is one alert of a list: name, identifying labels, summary and
// how long it has been firing.
func alertLine(a amtemplate.Alert, now time.Time) string {
	var sb strings.Builder
	sb.WriteString("🔥 <b>" + esc(cut(a.Labels["alertname"], 120)) + "</b>")
	for _, k := range []string{"instance", "job", "severity"} {
		if v := a.Labels[k]; v != "" {
			sb.WriteString(" " + esc(k+"="+cut(v, 80)))
		}
	}
	if s := a.Annotations["summary"]; s != "" {
		sb.WriteString(" — " + esc(cut(s, 160)))
	}
	if !a.StartsAt.IsZero() {
		sb.WriteString(" <i>(" + shortDuration(now.Sub(a.StartsAt).Truncate(time.Minute)) + ")</i>")
	}
	return sb.String()
}

// pagePressed shows another page of a list in place.
func (b *Bot) pagePressed(ctx context.Context, p *press) string {
	var ps pageState
	page, err := strconv.Atoi(strings.TrimPrefix(p.action, "p"))
	if err != nil || !strings.HasPrefix(p.action, "p") || json.Unmarshal(p.state.Data, &ps) != nil || ps.List != "alerts" {
		b.answer(ctx, p.q, p.t.ButtonBad, true)
		return "usage"
	}
	if ps.All && !p.admin {
		b.answer(ctx, p.q, p.t.AdminsOnly, true)
		return "refused"
	}
	text, kb, err := b.alertsPage(ctx, p.chat.ID, p.t, ps, page, p.id)
	if err != nil {
		b.answer(ctx, p.q, fmt.Sprintf(p.t.Failed, err.Error()), true)
		return "failed"
	}
	b.answer(ctx, p.q, "", false)
	if p.q.Message != nil {
		if _, err := b.opts.Client.EditMessageText(ctx, &telegram.EditMessageTextParams{ChatID: strconv.FormatInt(p.chat.ID, 10),
			MessageID: p.q.Message.MessageID, Text: text, ParseMode: telegram.ParseModeHTML,
			LinkPreviewOptions: &telegram.LinkPreviewOptions{IsDisabled: true}, ReplyMarkup: kb}); err != nil {
			b.logger.Debug("cannot show another page", "err", err)
		}
	}
	return "ok"
}
