package bot

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/heraldhq/herald/internal/alertmanager"
	"github.com/heraldhq/herald/internal/bot/command"
)

// maxSilencesListed bounds /silences; Alertmanager may hold thousands.
const maxSilencesListed = 30

// maxListBytes bounds the HTML of a list. Telegram takes 4096 characters
// (UTF-16 units) of text after entity parsing
// (https://core.telegram.org/bots/api#sendmessage) and refuses the whole
// message beyond; HTML has at least as many bytes as its text has units.
const maxListBytes = 4000

// cmdSilence creates a silence: /silence <matchers> <duration> [comment].
func (b *Bot) cmdSilence(ctx context.Context, r *request) string {
	s, err := command.ParseSilence(r.cmd.Args)
	if err != nil {
		return b.usage(ctx, r, err)
	}
	if b.settings().Alertmanager == nil {
		b.reply(ctx, r, r.t.NoAM)
		return "failed"
	}
	if !b.mayChange(ctx, r) {
		return "refused"
	}
	now := b.now()
	comment := "Created from Telegram (" + chatName(r.chat) + ") with Herald"
	if s.Comment != "" {
		comment = s.Comment + " — " + comment
	}
	sil := alertmanager.Silence{Matchers: alertmanager.MatchersFrom(s.Matchers), StartsAt: now, EndsAt: now.Add(s.Duration),
		CreatedBy: who(r.user), Comment: comment}
	id, err := b.settings().Alertmanager.CreateSilence(ctx, sil)
	if err != nil {
		return b.failed(ctx, r, err)
	}
	b.record(ctx, r, "silence", fmt.Sprintf("%s %s for %s", id, s.Matchers, shortDuration(s.Duration)))
	b.reply(ctx, r, fmt.Sprintf(r.t.Silenced, clock(sil.EndsAt, now), esc(id)))
	return "ok"
}

// cmdSilences lists the active silences.
func (b *Bot) cmdSilences(ctx context.Context, r *request) string {
	if b.settings().Alertmanager == nil {
		b.reply(ctx, r, r.t.NoAM)
		return "failed"
	}
	list, err := b.activeSilences(ctx)
	if err != nil {
		return b.failed(ctx, r, err)
	}
	if len(list) == 0 {
		b.reply(ctx, r, r.t.SilencesNone)
		return "ok"
	}
	var sb strings.Builder
	fmt.Fprintf(&sb, r.t.SilencesHead, len(list))
	now := b.now()
	for i, s := range list {
		line := fmt.Sprintf("\n<code>%s</code> %s · %s · %s", esc(shortID(s.ID)), esc(cut(formatMatchers(s.Matchers), 200)),
			clock(s.EndsAt, now), esc(cut(s.CreatedBy, 40)))
		if s.Comment != "" {
			line += " — <i>" + esc(cut(s.Comment, 120)) + "</i>"
		}
		if i == maxSilencesListed || sb.Len()+len(line) > maxListBytes {
			fmt.Fprintf(&sb, "\n… +%d", len(list)-i)
			break
		}
		sb.WriteString(line)
	}
	b.reply(ctx, r, sb.String())
	return "ok"
}

// activeSilences are Alertmanager's silences in state active.
func (b *Bot) activeSilences(ctx context.Context) ([]alertmanager.Silence, error) {
	all, err := b.settings().Alertmanager.Silences(ctx, nil)
	if err != nil {
		return nil, err
	}
	var out []alertmanager.Silence
	for _, s := range all {
		if s.Status.State == alertmanager.SilenceActive {
			out = append(out, s)
		}
	}
	return out, nil
}

// shortID is the first 8 characters of a silence id, enough to tell the
// silences of one Alertmanager apart and accepted by /unsilence.
func shortID(id string) string {
	if len(id) > 8 {
		return id[:8]
	}
	return id
}

// cmdUnsilence expires a silence by id or a unique prefix of it.
func (b *Bot) cmdUnsilence(ctx context.Context, r *request) string {
	sid, err := command.ParseID(r.cmd.Args)
	id, prefix := sid.ID, sid.Prefix
	if err != nil {
		return b.usage(ctx, r, err)
	}
	if b.settings().Alertmanager == nil {
		b.reply(ctx, r, r.t.NoAM)
		return "failed"
	}
	if !b.mayChange(ctx, r) {
		return "refused"
	}
	if prefix {
		list, err := b.activeSilences(ctx)
		if err != nil {
			return b.failed(ctx, r, err)
		}
		var found []string
		for _, s := range list {
			if sid.Matches(s.ID) {
				found = append(found, s.ID)
			}
		}
		switch len(found) {
		case 0:
			b.reply(ctx, r, fmt.Sprintf(r.t.NoSilence, esc(id)))
			return "usage"
		case 1:
			id = found[0]
		default:
			b.reply(ctx, r, fmt.Sprintf(r.t.AmbiguousID, esc(id)))
			return "usage"
		}
	}
	if err := b.settings().Alertmanager.ExpireSilence(ctx, id); err != nil {
		if errors.Is(err, alertmanager.ErrNotFound) {
			b.reply(ctx, r, fmt.Sprintf(r.t.NoSilence, esc(id)))
			return "usage"
		}
		return b.failed(ctx, r, err)
	}
	b.record(ctx, r, "unsilence", id)
	b.reply(ctx, r, fmt.Sprintf(r.t.Unsilenced, esc(id)))
	return "ok"
}

// formatMatchers writes a silence's matchers as Alertmanager shows them.
func formatMatchers(ms []alertmanager.Matcher) string {
	parts := make([]string, len(ms))
	for i, m := range ms {
		parts[i] = m.String()
	}
	return "{" + strings.Join(parts, ", ") + "}"
}
