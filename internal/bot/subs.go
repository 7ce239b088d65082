package bot

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/heraldhq/herald/internal/bot/command"
	"github.com/heraldhq/herald/internal/store"
)

// cmdSubscribe adds a subscription: Alertmanager matchers, or a regular
// expression on the alert name (always with /regexp).
func (b *Bot) cmdSubscribe(ctx context.Context, r *request) string {
	var (
		sub command.Subscription
		err error
	)
	if r.cmd.Name == "regexp" {
		sub, err = command.ParseRegexp(r.cmd.Args)
	} else {
		sub, err = command.ParseSubscription(r.cmd.Args)
	}
	if err != nil {
		return b.usage(ctx, r, err)
	}
	if r.chat.Type != "private" && !b.mayChange(ctx, r) {
		return "refused"
	}
	saved, err := b.opts.Store.AddSubscription(ctx, store.Subscription{ChatID: r.chat.ID, Kind: sub.Kind, Expr: sub.Expr,
		CreatedBy: r.user.ID, CreatedAt: b.now()})
	if errors.Is(err, store.ErrDuplicateSubscription) {
		b.reply(ctx, r, r.t.SubDuplicate)
		return "usage"
	}
	if err != nil {
		return b.failed(ctx, r, err)
	}
	b.record(ctx, r, "subscribe", sub.Kind+" "+sub.Expr)
	b.subscribed()
	n, err := b.subscriptionNumber(ctx, r.chat.ID, saved.ID)
	if err != nil {
		return b.failed(ctx, r, err)
	}
	b.reply(ctx, r, fmt.Sprintf(r.t.Subscribed, n, esc(sub.Expr)))
	return "ok"
}

// subscriptionNumber is the 1-based place of id in the chat's list, the
// number /unsubscribe takes.
func (b *Bot) subscriptionNumber(ctx context.Context, chat, id int64) (int, error) {
	subs, err := b.opts.Store.Subscriptions(ctx, chat)
	if err != nil {
		return 0, err
	}
	for i, s := range subs {
		if s.ID == id {
			return i + 1, nil
		}
	}
	return 0, errors.New("the subscription disappeared")
}

// cmdUnsubscribe removes subscription n of the list, or all of them.
func (b *Bot) cmdUnsubscribe(ctx context.Context, r *request) string {
	n, all, err := command.ParseUnsubscribe(r.cmd.Args)
	if err != nil {
		return b.usage(ctx, r, err)
	}
	if r.chat.Type != "private" && !b.mayChange(ctx, r) {
		return "refused"
	}
	if all {
		count, err := b.opts.Store.DeleteSubscriptions(ctx, r.chat.ID)
		if err != nil {
			return b.failed(ctx, r, err)
		}
		b.record(ctx, r, "unsubscribe", "all")
		b.subscribed()
		b.reply(ctx, r, fmt.Sprintf(r.t.UnsubscribedAll, count))
		return "ok"
	}
	subs, err := b.opts.Store.Subscriptions(ctx, r.chat.ID)
	if err != nil {
		return b.failed(ctx, r, err)
	}
	if n < 1 || n > len(subs) {
		b.reply(ctx, r, fmt.Sprintf(r.t.NoSub, n))
		return "usage"
	}
	s := subs[n-1]
	if _, err := b.opts.Store.DeleteSubscription(ctx, r.chat.ID, s.ID); err != nil {
		return b.failed(ctx, r, err)
	}
	b.record(ctx, r, "unsubscribe", s.Kind+" "+s.Expr)
	b.subscribed()
	b.reply(ctx, r, fmt.Sprintf(r.t.Unsubscribed, n))
	return "ok"
}

// cmdSubscriptions lists the chat's subscriptions, numbered.
func (b *Bot) cmdSubscriptions(ctx context.Context, r *request) string {
	subs, err := b.opts.Store.Subscriptions(ctx, r.chat.ID)
	if err != nil {
		return b.failed(ctx, r, err)
	}
	if len(subs) == 0 {
		b.reply(ctx, r, r.t.NoSubs)
		return "ok"
	}
	var sb strings.Builder
	sb.WriteString(r.t.SubsHeader)
	for i, s := range subs {
		line := fmt.Sprintf("\n%d. <code>%s</code>", i+1, esc(s.Expr))
		if s.Kind == command.KindRegexp {
			line += " (regexp)"
		}
		if sb.Len()+len(line) > maxListBytes {
			fmt.Fprintf(&sb, "\n… +%d", len(subs)-i)
			break
		}
		sb.WriteString(line)
	}
	b.reply(ctx, r, sb.String())
	return "ok"
}

// subscribed tells the app that subscriptions changed.
func (b *Bot) subscribed() {
	if b.opts.Subscribed != nil {
		b.opts.Subscribed()
	}
}
