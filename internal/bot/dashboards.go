package bot

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/heraldhq/herald/internal/grafana"
	"github.com/heraldhq/herald/internal/telegram"
	"github.com/heraldhq/herald/internal/wait"
)

// dashboardsPerPage is how many dashboards or panels one keyboard shows.
const dashboardsPerPage = 8

// panelRanges are the windows offered under a rendered panel.
var panelRanges = []time.Duration{time.Hour, 6 * time.Hour, 24 * time.Hour, 7 * 24 * time.Hour}

// dashState is a step of browsing Grafana: a search (Query), a dashboard
// (UID) or a panel of it (Panel).
type dashState struct {
	Query string `json:"query,omitempty"`
	UID   string `json:"uid,omitempty"`
	Title string `json:"title,omitempty"`
	Panel int    `json:"panel,omitempty"`
	// Hits are the dashboards of a search page, or the panels of a
	// dashboard, in button order, so that a press needs no new search.
	Hits []dashHit `json:"hits,omitempty"`
}

type dashHit struct {
	UID   string `json:"u,omitempty"`
	ID    int    `json:"i,omitempty"`
	Title string `json:"t"`
}

// cmdDashboards lists Grafana dashboards: /dashboards [search].
func (b *Bot) cmdDashboards(ctx context.Context, r *request) string {
	if b.settings().Grafana == nil {
		b.reply(ctx, r, r.t.NoGrafana)
		return "failed"
	}
	text, kb, err := b.dashboardsPage(ctx, r.chat.ID, r.t, strings.TrimSpace(r.cmd.Args), 1)
	if err != nil {
		return b.failed(ctx, r, err)
	}
	b.send(ctx, r.chat.ID, r.msg.MessageThreadID, text, kb)
	return "ok"
}

// dashboardsPage is one page of a dashboard search as a keyboard.
func (b *Bot) dashboardsPage(ctx context.Context, chat int64, t *catalog, query string, page int) (string, *telegram.InlineKeyboardMarkup, error) {
	hits, more, err := b.settings().Grafana.SearchDashboards(ctx, query, page, dashboardsPerPage)
	if err != nil {
		return "", nil, err
	}
	if len(hits) == 0 {
		return t.NoDashboards, nil, nil
	}
	st := dashState{Query: query}
	for _, h := range hits {
		title := h.Title
		if h.FolderTitle != "" {
			title = h.FolderTitle + " / " + h.Title
		}
		st.Hits = append(st.Hits, dashHit{UID: h.UID, Title: title})
	}
	key, err := b.key(ctx)
	if err != nil {
		return "", nil, err
	}
	id, err := b.save(ctx, kindDashboard, chat, st, pageTTL)
	if err != nil {
		return "", nil, err
	}
	kb := &telegram.InlineKeyboardMarkup{}
	for i, h := range st.Hits {
		kb.InlineKeyboard = append(kb.InlineKeyboard, []telegram.InlineKeyboardButton{b.button(key, cut(h.Title, 60), "d"+strconv.Itoa(i), id)})
	}
	var nav []telegram.InlineKeyboardButton
	if page > 1 {
		nav = append(nav, b.button(key, t.ButtonPrev, "q"+strconv.Itoa(page-1), id))
	}
	if more {
		nav = append(nav, b.button(key, t.ButtonNext, "q"+strconv.Itoa(page+1), id))
	}
	if len(nav) > 0 {
		kb.InlineKeyboard = append(kb.InlineKeyboard, nav)
	}
	return t.Dashboards, kb, nil
}

// dashboardPressed moves through Grafana: a dashboard of a search (dN),
// another search page (qN), a panel of a dashboard (pN), a panel's
// window (rN).
func (b *Bot) dashboardPressed(ctx context.Context, p *press) string {
	var st dashState
	if json.Unmarshal(p.state.Data, &st) != nil || len(p.action) < 2 || b.settings().Grafana == nil {
		b.answer(ctx, p.q, p.t.ButtonBad, true)
		return "usage"
	}
	n, err := strconv.Atoi(p.action[1:])
	if err != nil {
		b.answer(ctx, p.q, p.t.ButtonBad, true)
		return "usage"
	}
	switch p.action[0] {
	case 'q':
		text, kb, err := b.dashboardsPage(ctx, p.chat.ID, p.t, st.Query, n)
		return b.showPage(ctx, p, text, kb, err)
	case 'd':
		if n < 0 || n >= len(st.Hits) {
			break
		}
		text, kb, err := b.panelsPage(ctx, p.chat.ID, p.t, st.Hits[n].UID)
		return b.showPage(ctx, p, text, kb, err)
	case 'p':
		if n < 0 || n >= len(st.Hits) {
			break
		}
		b.answer(ctx, p.q, p.t.Rendering, false)
		return b.renderPanel(ctx, p, dashState{UID: st.UID, Title: st.Title, Panel: st.Hits[n].ID, Hits: []dashHit{st.Hits[n]}}, time.Hour)
	case 'r':
		if n < 0 || n >= len(panelRanges) {
			break
		}
		b.answer(ctx, p.q, p.t.Rendering, false)
		return b.renderPanel(ctx, p, st, panelRanges[n])
	}
	b.answer(ctx, p.q, p.t.ButtonBad, true)
	return "usage"
}

// showPage puts a new text and keyboard in place of the pressed message.
func (b *Bot) showPage(ctx context.Context, p *press, text string, kb *telegram.InlineKeyboardMarkup, err error) string {
	if err != nil {
		b.answer(ctx, p.q, fmt.Sprintf(p.t.Failed, err.Error()), true)
		return "failed"
	}
	b.answer(ctx, p.q, "", false)
	if p.q.Message != nil {
		if _, err := b.opts.Client.EditMessageText(ctx, &telegram.EditMessageTextParams{ChatID: strconv.FormatInt(p.chat.ID, 10),
			MessageID: p.q.Message.MessageID, Text: text, ParseMode: telegram.ParseModeHTML, ReplyMarkup: kb}); err != nil {
			b.logger.Debug("cannot show the next step", "err", err)
		}
	}
	return "ok"
}

// panelsPage lists the panels of a dashboard, with the rows they are in.
func (b *Bot) panelsPage(ctx context.Context, chat int64, t *catalog, uid string) (string, *telegram.InlineKeyboardMarkup, error) {
	d, err := b.settings().Grafana.Dashboard(ctx, uid)
	if err != nil {
		return "", nil, err
	}
	if len(d.Panels) == 0 {
		return fmt.Sprintf(t.Panels, esc(d.Title)) + "\n" + t.NoPanels, nil, nil
	}
	st := dashState{UID: d.UID, Title: d.Title}
	for _, pn := range d.Panels {
		title := pn.Title
		if title == "" {
			title = "#" + strconv.Itoa(pn.ID)
		}
		if pn.Row != "" {
			title = pn.Row + " › " + title
		}
		st.Hits = append(st.Hits, dashHit{ID: pn.ID, Title: title})
	}
	// Telegram allows 100 buttons; a dashboard with more panels shows its first ones.
	st.Hits = st.Hits[:min(len(st.Hits), 90)]
	key, err := b.key(ctx)
	if err != nil {
		return "", nil, err
	}
	id, err := b.save(ctx, kindDashboard, chat, st, pageTTL)
	if err != nil {
		return "", nil, err
	}
	kb := &telegram.InlineKeyboardMarkup{}
	for i := 0; i < len(st.Hits); i += 2 {
		row := []telegram.InlineKeyboardButton{b.button(key, cut(st.Hits[i].Title, 40), "p"+strconv.Itoa(i), id)}
		if i+1 < len(st.Hits) {
			row = append(row, b.button(key, cut(st.Hits[i+1].Title, 40), "p"+strconv.Itoa(i+1), id))
		}
		kb.InlineKeyboard = append(kb.InlineKeyboard, row)
	}
	return fmt.Sprintf(t.Panels, esc(d.Title)), kb, nil
}

// renderAttempts is how many times a panel is asked of Grafana when its
// renderer fails in a way worth retrying (busy, a 5xx); each attempt has
// grafana.timeout, and the waits between them are short, so a person
// waits a few seconds more at worst, never indefinitely.
const renderAttempts = 3

// render renders a panel, retrying a failure Grafana may not repeat; "no
// renderer", an unknown panel or refused credentials are said at once.
func (b *Bot) render(ctx context.Context, r grafana.PanelRequest) ([]byte, error) {
	delay := time.Second
	for attempt := 1; ; attempt++ {
		png, err := b.settings().Grafana.RenderPanel(ctx, r)
		if err == nil || attempt == renderAttempts || grafana.IsPermanent(err) || errors.Is(err, grafana.ErrNoRenderer) || ctx.Err() != nil {
			return png, err
		}
		b.logger.Debug("panel render failed; trying again", "attempt", attempt, "err", err)
		if !wait.Sleep(ctx, delay) {
			return nil, err
		}
		delay *= 2
	}
}

// renderPanel renders a panel over rng and sends it with window buttons.
func (b *Bot) renderPanel(ctx context.Context, p *press, st dashState, rng time.Duration) string {
	now := b.now()
	png, err := b.render(ctx, grafana.PanelRequest{DashboardUID: st.UID, PanelID: st.Panel, From: now.Add(-rng), To: now})
	thread := threadOf(p.q.Message)
	switch {
	case errors.Is(err, grafana.ErrNoRenderer):
		b.send(ctx, p.chat.ID, thread, p.t.NoRenderer, nil)
		return "failed"
	case errors.Is(err, grafana.ErrTimeout), errors.Is(err, context.DeadlineExceeded):
		b.send(ctx, p.chat.ID, thread, p.t.RenderTimeout, nil)
		return "failed"
	case err != nil:
		b.send(ctx, p.chat.ID, thread, fmt.Sprintf(p.t.Failed, esc(err.Error())), nil)
		return "failed"
	}
	title := st.Title
	if len(st.Hits) == 1 {
		title += " › " + st.Hits[0].Title
	}
	var kb *telegram.InlineKeyboardMarkup
	if key, err := b.key(ctx); err == nil {
		if id, err := b.save(ctx, kindDashboard, p.chat.ID, st, pageTTL); err == nil {
			var row []telegram.InlineKeyboardButton
			for i, d := range panelRanges {
				row = append(row, b.button(key, fmt.Sprintf(p.t.ButtonRange, shortDuration(d)), "r"+strconv.Itoa(i), id))
			}
			kb = &telegram.InlineKeyboardMarkup{InlineKeyboard: [][]telegram.InlineKeyboardButton{row}}
		}
	}
	b.sendPhoto(ctx, p.chat.ID, thread, 0, "<b>"+esc(cut(title, 200))+"</b> · "+shortDuration(rng), png, kb)
	return "ok"
}
