package bot

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/heraldhq/herald/internal/bot/command"
	"github.com/heraldhq/herald/internal/store"
	"github.com/heraldhq/herald/internal/telegram"
)

// request is one command being handled: who asked, where, in which
// language.
type request struct {
	msg   *telegram.Message
	user  *telegram.User
	chat  telegram.Chat
	lang  string
	t     *catalog
	cmd   command.Command
	admin bool
}

// onMessage answers a message: commands from the people the bot is set up
// for; one polite refusal to anyone else; nothing to bots.
func (b *Bot) onMessage(ctx context.Context, m *telegram.Message) {
	if m.From == nil || m.From.IsBot {
		return
	}
	me := b.me.Load()
	username := ""
	if me != nil {
		username = me.Username
	}
	cmd, ok := command.Parse(m.Text, username)
	if !ok || !cmd.ForUs {
		return
	}
	s := b.settings()
	r := &request{msg: m, user: m.From, chat: m.Chat, cmd: cmd, admin: s.access.isAdmin(m.From)}
	r.lang = b.chatLanguage(ctx, m.Chat.ID, m.From.LanguageCode)
	r.t = texts(r.lang)
	if !s.access.allowed(m.From, m.Chat) {
		b.refuse(ctx, r)
		return
	}
	if ok, warn := b.limits.take(m.From.ID, b.now()); !ok {
		b.metrics.commands.WithLabelValues(metricName(cmd.Name), "limited").Inc()
		if warn {
			b.reply(ctx, r, fmt.Sprintf(r.t.SlowDown, s.cfg.Telegram.CommandsPerMinute))
		}
		return
	}
	result := b.run(ctx, r)
	b.metrics.commands.WithLabelValues(metricName(cmd.Name), result).Inc()
}

// metricName bounds the command label to the commands the bot knows.
func metricName(name string) string {
	for _, c := range commandOrder {
		if c == name {
			return name
		}
	}
	if name == "regexp" || name == "list" {
		return name
	}
	return "help"
}

// run handles an allowed command and returns its result label.
func (b *Bot) run(ctx context.Context, r *request) string {
	switch r.cmd.Name {
	case "start":
		return b.cmdStart(ctx, r)
	case "help":
		b.reply(ctx, r, r.t.Help)
		return "ok"
	case "subscribe", "regexp":
		return b.cmdSubscribe(ctx, r)
	case "unsubscribe":
		return b.cmdUnsubscribe(ctx, r)
	case "subscriptions", "list":
		return b.cmdSubscriptions(ctx, r)
	case "alerts":
		return b.cmdAlerts(ctx, r, 0)
	case "silence":
		return b.cmdSilence(ctx, r)
	case "silences":
		return b.cmdSilences(ctx, r)
	case "unsilence":
		return b.cmdUnsilence(ctx, r)
	case "graph":
		return b.cmdGraph(ctx, r)
	case "chart", "hour", "day", "week":
		return b.cmdChart(ctx, r)
	case "dashboards":
		return b.cmdDashboards(ctx, r)
	case "containers":
		return b.cmdContainers(ctx, r)
	case "lang":
		return b.cmdLang(ctx, r)
	}
	b.reply(ctx, r, r.t.Unknown)
	return "usage"
}

// refuse answers a stranger once (with their id, so that an admin can add
// them) and then not at all, across restarts.
func (b *Bot) refuse(ctx context.Context, r *request) {
	b.metrics.refused.Inc()
	key := "telegram.refused." + strconv.FormatInt(r.user.ID, 10)
	if _, seen, err := b.opts.Store.BotState(ctx, key); err != nil || seen {
		return
	}
	if err := b.opts.Store.SetBotState(ctx, key, b.now().UTC().Format("2006-01-02T15:04:05Z")); err != nil {
		return
	}
	b.logger.Info("refused a user the bot is not set up for", "user_id", r.user.ID, "chat_id", r.chat.ID)
	b.reply(ctx, r, fmt.Sprintf(r.t.Refused, r.user.ID))
}

// usage answers a command's usage error and returns its result label.
func (b *Bot) usage(ctx context.Context, r *request, err error) string {
	var ue *command.UsageError
	if errors.As(err, &ue) {
		b.reply(ctx, r, fmt.Sprintf(r.t.Usage, esc(ue.Problem), esc(ue.Example)))
	} else {
		b.reply(ctx, r, fmt.Sprintf(r.t.Failed, esc(err.Error())))
	}
	return "usage"
}

// failed answers an error of a call the command made.
func (b *Bot) failed(ctx context.Context, r *request, err error) string {
	b.logger.Warn("bot command failed", "command", r.cmd.Name, "chat_id", r.chat.ID, "err", err)
	b.reply(ctx, r, fmt.Sprintf(r.t.Failed, esc(err.Error())))
	return "failed"
}

// mayChange answers "admins only" when r's user may not make changes.
func (b *Bot) mayChange(ctx context.Context, r *request) bool {
	if b.settings().access.mayChange(r.user, r.chat) {
		return true
	}
	b.reply(ctx, r, r.t.AdminsOnly)
	return false
}

// record writes a change made from chat to the store and the log.
func (b *Bot) record(ctx context.Context, r *request, kind, detail string) {
	a := store.Action{At: b.now(), ChatID: r.chat.ID, UserID: r.user.ID, User: who(r.user), Kind: kind, Detail: detail}
	if err := b.opts.Store.RecordAction(ctx, a); err != nil {
		b.logger.Warn("cannot record a change made from chat", "kind", kind, "err", err)
	}
	b.logger.Info("change made from chat", "kind", kind, "detail", detail, "user", a.User, "user_id", r.user.ID, "chat_id", r.chat.ID)
}

// who names a user: @username, else the first name and id.
func who(u *telegram.User) string {
	if u.Username != "" {
		return "@" + u.Username
	}
	return u.FirstName + " (" + strconv.FormatInt(u.ID, 10) + ")"
}

// reply sends text (HTML) to r's chat and topic.
func (b *Bot) reply(ctx context.Context, r *request, text string) *telegram.Message {
	return b.send(ctx, r.chat.ID, r.msg.MessageThreadID, text, nil)
}

// send sends text with an optional keyboard; failures are logged.
func (b *Bot) send(ctx context.Context, chat, thread int64, text string, kb *telegram.InlineKeyboardMarkup) *telegram.Message {
	p := &telegram.SendMessageParams{ChatID: strconv.FormatInt(chat, 10), MessageThreadID: int(thread), Text: text,
		ParseMode: telegram.ParseModeHTML, LinkPreviewOptions: &telegram.LinkPreviewOptions{IsDisabled: true}, ReplyMarkup: kb}
	m, _, err := b.opts.Client.SendMessage(ctx, p)
	if err != nil {
		b.logger.Warn("cannot answer in chat", "chat_id", chat, "err", err)
		return nil
	}
	return m
}

// cmdStart greets, gives the chat's id and says what the chat receives.
func (b *Bot) cmdStart(ctx context.Context, r *request) string {
	var parts []string
	if chs := b.opts.Routes.Channels(r.chat.ID); len(chs) > 0 {
		parts = append(parts, fmt.Sprintf(r.t.ReceivesChannels, esc(strings.Join(chs, ", "))))
	}
	subs, err := b.opts.Store.Subscriptions(ctx, r.chat.ID)
	if err != nil {
		return b.failed(ctx, r, err)
	}
	if len(subs) > 0 {
		parts = append(parts, fmt.Sprintf(r.t.ReceivesSubs, len(subs)))
	}
	receives := r.t.ReceivesNothing
	if len(parts) > 0 {
		receives = strings.Join(parts, "; ")
	}
	b.reply(ctx, r, fmt.Sprintf(r.t.Start, r.chat.ID, receives))
	return "ok"
}

// cmdLang sets the chat's language, or "auto" for each user's own.
func (b *Bot) cmdLang(ctx context.Context, r *request) string {
	arg := strings.ToLower(strings.TrimSpace(r.cmd.Args))
	if arg == "auto" {
		arg = ""
	} else if language(arg, "") == "" || strings.ContainsAny(arg, "-_") {
		b.reply(ctx, r, fmt.Sprintf(r.t.LangBad, "en, ru, uk, zh"))
		return "usage"
	}
	if r.chat.Type != "private" && !b.mayChange(ctx, r) {
		return "refused"
	}
	if err := b.opts.Store.SetChatLanguage(ctx, r.chat.ID, arg); err != nil {
		return b.failed(ctx, r, err)
	}
	r.lang = b.chatLanguage(ctx, r.chat.ID, r.user.LanguageCode)
	r.t = texts(r.lang)
	b.reply(ctx, r, r.t.LangSet)
	return "ok"
}

// chatLanguage is the chat's language (set with /lang), else the user's
// Telegram language when the bot speaks it, else telegram.language.
func (b *Bot) chatLanguage(ctx context.Context, chat int64, userLang string) string {
	def := b.settings().cfg.Telegram.Language
	if l, ok, err := b.opts.Store.ChatLanguage(ctx, chat); err == nil && ok && l != "" {
		return l
	}
	return language(userLang, def)
}
