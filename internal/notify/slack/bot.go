package slack

import (
	"cmp"
	"context"
	"errors"
	"regexp"
	"slices"

	"github.com/heraldhq/herald/internal/alert"
	"github.com/heraldhq/herald/internal/notify"
)

// Parts of a bot message.
const (
	partMessage = 0
	partChart   = 1
)

// chatMessage are the parameters of chat.postMessage and chat.update.
type chatMessage struct {
	Channel     string  `json:"channel"`
	TS          string  `json:"ts,omitempty"`
	ThreadTS    string  `json:"thread_ts,omitempty"`
	Text        string  `json:"text"`
	Blocks      []block `json:"blocks"`
	UnfurlLinks *bool   `json:"unfurl_links,omitempty"`
	UnfurlMedia *bool   `json:"unfurl_media,omitempty"`
}

// postedMessage is the part of chat.postMessage's answer Herald keeps.
type postedMessage struct {
	Channel string `json:"channel"`
	TS      string `json:"ts"`
}

// firing is the message sent for the firing event that a resolved event or
// a reminder answers.
type firing struct {
	channel, ts string
	// folded: the message holds several alerts and must not be updated to
	// show one of them resolved.
	folded bool
}

// notifyBot sends m with the bot token: the message (part 0), then, for a
// resolved event, the update of the firing message, then the chart (part
// 1). A chart Slack refuses for good is logged and left out: the alert
// matters more than its picture.
func (n *Notifier) notifyBot(ctx context.Context, m *notify.Message, c *content) ([]notify.Ref, bool, error) {
	reply := n.replyTo(m)
	png := n.chart(m)
	calls := 0
	if m.SentParts <= partMessage {
		calls++
	}
	if png != nil && m.SentParts <= partChart {
		calls++
	}
	key := channelKey(n.cfg.Channel)
	if err := n.client.fits(ctx, key, calls); err != nil {
		return nil, true, err
	}
	to := share{channel: n.cfg.Channel, key: key}
	if reply != nil {
		to.channel, to.thread = reply.channel, reply.ts
	}
	var refs []notify.Ref
	if m.SentParts <= partMessage {
		var retry bool
		var err error
		if to, retry, err = n.postMessage(ctx, to, c); err != nil {
			return nil, retry, err
		}
		refs = append(refs, notify.Ref{Part: partMessage, ChatID: to.channel, ThreadID: to.thread, MessageID: to.ts, Folded: m.Folded})
		if m.Kind == alert.KindResolved && !m.Folded && reply != nil && !reply.folded && to.thread != "" {
			n.updateResolved(ctx, reply, c)
		}
	}
	if png == nil || m.SentParts > partChart {
		return refs, false, nil
	}
	id, retry, err := n.client.uploadChart(ctx, n.http, to, png, m.Image.Alt)
	switch {
	case err == nil:
		refs = append(refs, notify.Ref{Part: partChart, ChatID: to.channel, ThreadID: to.thread, MessageID: id, Folded: m.Folded, Media: true})
	case retry:
		// The message is out; the retry sends only the chart.
		return refs, true, err
	default:
		n.logger.Warn("Slack refused the chart; the message went without it", "kind", m.Kind, "err", err)
	}
	return refs, false, nil
}

// threadGone are the answers to a reply whose thread no longer exists
// (its parent was deleted).
var threadGone = map[string]bool{"thread_not_found": true, "message_not_found": true}

// postMessage posts c to.channel (in to.thread when set) after waiting for
// the channel's turn, and returns where it went: the channel id Slack
// answered (also when the config names the channel) and the ts. A reply
// whose thread is gone goes to the channel instead, so that a deleted
// firing message cannot make its resolution fail for good.
func (n *Notifier) postMessage(ctx context.Context, to share, c *content) (share, bool, error) {
	for {
		release, err := n.client.acquire(ctx, to.key, n.client.rates.perChannel)
		if err != nil {
			return to, true, err
		}
		p := &chatMessage{Channel: to.channel, ThreadTS: to.thread, Text: c.fallback, Blocks: buildBlocks(c, nil),
			UnfurlLinks: new(false), UnfurlMedia: new(false)}
		var ans postedMessage
		retry, err := n.client.callJSON(ctx, n.http, "chat.postMessage", p, &ans)
		release()
		if aerr, ok := errors.AsType[*APIError](err); ok && to.thread != "" && threadGone[aerr.Code] {
			n.logger.Debug("the firing message's thread is gone; posting in the channel", "ts", to.thread, "err", err)
			to.thread = ""
			continue
		}
		if err != nil {
			return to, retry, err
		}
		if ans.Channel != "" {
			to.channel = ans.Channel
		}
		to.ts = ans.TS
		return to, false, nil
	}
}

// updateResolved rewrites the firing message as the resolved one, so that
// the channel shows at a glance what is over. It is a courtesy: the
// resolved event is already delivered in the thread, so a failure is only
// logged.
func (n *Notifier) updateResolved(ctx context.Context, f *firing, c *content) {
	const method = "chat.update"
	release, err := n.client.acquire(ctx, "method:"+method, n.client.rates.tier3)
	if err != nil {
		n.logger.Debug("firing message not updated", "ts", f.ts, "err", err)
		return
	}
	p := &chatMessage{Channel: f.channel, TS: f.ts, Text: c.fallback, Blocks: buildBlocks(c, nil)}
	retry, err := n.client.callJSON(ctx, n.http, method, p, nil)
	release()
	switch {
	case err == nil:
		n.logger.Debug("updated the firing message", "ts", f.ts)
	case retry:
		n.logger.Warn("cannot update the firing message to show it resolved", "ts", f.ts, "err", err)
	default:
		// message_not_found (deleted), cant_update_message,
		// edit_window_closed: expected now and then, nothing to do.
		n.logger.Debug("firing message not updated", "ts", f.ts, "err", err)
	}
}

// channelID matches Slack's conversation ids (C…, G…, D…), as opposed to
// channel names.
var channelID = regexp.MustCompile(`^[CGD][A-Z0-9]{6,}$`)

// replyTo returns the firing message that a resolved event or a reminder
// answers, or nil. A message in another channel (slack.channel changed
// since) is not answered: the reply would land in the old channel. When
// the config names the channel rather than giving its id, the two cannot
// be compared and the stored id is trusted.
func (n *Notifier) replyTo(m *notify.Message) *firing {
	if (m.Kind != alert.KindResolved && m.Kind != alert.KindReminder) || len(m.Previous) == 0 {
		return nil
	}
	var msgs []notify.Ref
	for _, r := range m.Previous {
		if !r.Media && r.MessageID != "" && r.ChatID != "" {
			msgs = append(msgs, r)
		}
	}
	if len(msgs) == 0 {
		return nil // sent through a webhook, which gives no ids
	}
	first := slices.MinFunc(msgs, func(a, b notify.Ref) int { return cmp.Compare(a.Part, b.Part) })
	if channelID.MatchString(n.cfg.Channel) && first.ChatID != n.cfg.Channel {
		return nil
	}
	return &firing{channel: first.ChatID, ts: first.MessageID, folded: first.Folded}
}

// chart returns the PNG of m to upload, or nil: folded messages and
// reminders go without one.
func (n *Notifier) chart(m *notify.Message) []byte {
	if m.Image == nil || m.Folded || m.Kind == alert.KindReminder || len(m.Image.PNG) == 0 {
		return nil
	}
	return m.Image.PNG
}
