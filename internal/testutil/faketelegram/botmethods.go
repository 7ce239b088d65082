package faketelegram

import (
	"net/url"
	"regexp"
	"slices"
	"strconv"
	"unicode/utf8"
)

// WebhookInfo is the webhook the bot has, as setWebhook left it.
type WebhookInfo struct {
	URL            string
	SecretToken    string
	MaxConnections int64
	AllowedUpdates []string
}

// CallbackAnswer is an answerCallbackQuery the fake accepted.
type CallbackAnswer struct {
	QueryID   string
	Text      string
	ShowAlert bool
}

// BotCommand is an entry of a command menu.
type BotCommand struct {
	Command     string `json:"command"`
	Description string `json:"description"`
}

// CommandScope is whom a command list is for: a BotCommandScope's type,
// chat and user, and the language.
type CommandScope struct {
	Type     string
	ChatID   int64
	UserID   int64
	Language string
}

// Limits of https://core.telegram.org/bots/api#setwebhook,
// #answercallbackquery and #botcommand.
var (
	secretTokenRE = regexp.MustCompile(`^[A-Za-z0-9_-]{1,256}$`)
	commandRE     = regexp.MustCompile(`^[a-z0-9_]{1,32}$`)
	languageRE    = regexp.MustCompile(`^[a-z]{2}$`)
	webhookPorts  = []string{"", "443", "80", "88", "8443"}
	scopeTypes    = []string{"default", "all_private_chats", "all_group_chats", "all_chat_administrators", "chat", "chat_administrators", "chat_member"}
)

const (
	maxCallbackText = 200
	maxCommands     = 100
	maxDescription  = 256
)

// Webhook returns the webhook set with setWebhook (zero when none).
func (s *Server) Webhook() WebhookInfo {
	s.mu.Lock()
	defer s.mu.Unlock()
	w := s.bot.webhook
	w.AllowedUpdates = slices.Clone(w.AllowedUpdates)
	return w
}

// CallbackAnswers returns the answered callback queries, oldest first.
func (s *Server) CallbackAnswers() []CallbackAnswer {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.bot.answers)
}

// Commands returns the command list of a scope and language.
func (s *Server) Commands(scope CommandScope) []BotCommand {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.bot.commands[scope])
}

func (s *Server) setWebhook(p *params) (any, *apiError) {
	raw := p.str("url")
	var info WebhookInfo
	if raw != "" {
		u, err := url.Parse(raw)
		switch {
		case err != nil || u.Host == "":
			return nil, badRequest("bad webhook: Failed to resolve host: Name or service not known")
		case u.Scheme != "https":
			return nil, badRequest("bad webhook: An HTTPS URL must be provided for webhook")
		case !slices.Contains(webhookPorts, u.Port()):
			return nil, badRequest("bad webhook: Webhook can be set up only on ports 80, 88, 443 or 8443")
		}
		info.URL = raw
	}
	if tok, ok := p.values["secret_token"]; ok && !secretTokenRE.MatchString(tok) {
		return nil, badRequest("secret token contains unallowed characters")
	}
	info.SecretToken = p.str("secret_token")
	var err *apiError
	if info.MaxConnections, err = p.int64("max_connections"); err != nil {
		return nil, err
	}
	if info.MaxConnections < 0 || info.MaxConnections > 100 {
		return nil, badRequest("bad webhook: max_connections must be between 1 and 100")
	}
	if _, err := p.object("allowed_updates", &info.AllowedUpdates); err != nil {
		return nil, err
	}
	if err := checkAllowed(info.AllowedUpdates); err != nil {
		return nil, err
	}
	if err := s.dropPending(p); err != nil {
		return nil, err
	}
	s.bot.webhook = info
	s.bot.wake() // a waiting poll now conflicts
	return true, nil
}

func (s *Server) deleteWebhook(p *params) (any, *apiError) {
	if err := s.dropPending(p); err != nil {
		return nil, err
	}
	s.bot.webhook = WebhookInfo{}
	return true, nil
}

// dropPending applies drop_pending_updates.
func (s *Server) dropPending(p *params) *apiError {
	drop, err := p.bool("drop_pending_updates")
	if drop {
		s.bot.updates = nil
	}
	return err
}

func (s *Server) getWebhookInfo(*params) (any, *apiError) {
	w := s.bot.webhook
	info := map[string]any{"url": w.URL, "has_custom_certificate": false, "pending_update_count": len(s.bot.updates)}
	if w.MaxConnections > 0 {
		info["max_connections"] = w.MaxConnections
	}
	if len(w.AllowedUpdates) > 0 {
		info["allowed_updates"] = w.AllowedUpdates
	}
	return info, nil
}

func (s *Server) answerCallbackQuery(p *params) (any, *apiError) {
	id := p.str("callback_query_id")
	if id == "" {
		return nil, badRequest("parameter \"callback_query_id\" is required")
	}
	a := CallbackAnswer{QueryID: id, Text: p.str("text")}
	if UTF16Len(a.Text) > maxCallbackText {
		return nil, badRequest("MESSAGE_TOO_LONG")
	}
	var err *apiError
	if a.ShowAlert, err = p.bool("show_alert"); err != nil {
		return nil, err
	}
	if !s.bot.queries[id] {
		// Unknown, or answered already.
		return nil, badRequest("query is too old and response timeout expired or query ID is invalid")
	}
	delete(s.bot.queries, id)
	s.bot.answers = append(s.bot.answers, a)
	return true, nil
}

func (s *Server) setMyCommands(p *params) (any, *apiError) {
	var cmds []BotCommand
	ok, err := p.object("commands", &cmds)
	switch {
	case err != nil:
		return nil, err
	case !ok:
		return nil, badRequest("parameter \"commands\" is required")
	case len(cmds) > maxCommands:
		return nil, badRequest("too many commands specified")
	}
	for _, c := range cmds {
		if !commandRE.MatchString(c.Command) {
			return nil, badRequest("BOT_COMMAND_INVALID")
		}
		if n := utf8.RuneCountInString(c.Description); n == 0 || n > maxDescription {
			return nil, badRequest("command description must be 1-256 characters long")
		}
	}
	scope, err := s.scope(p)
	if err != nil {
		return nil, err
	}
	s.bot.commands[scope] = cmds
	return true, nil
}

func (s *Server) getMyCommands(p *params) (any, *apiError) {
	scope, err := s.scope(p)
	if err != nil {
		return nil, err
	}
	if c := s.bot.commands[scope]; c != nil {
		return c, nil
	}
	return []BotCommand{}, nil
}

// scope reads scope and language_code.
func (s *Server) scope(p *params) (CommandScope, *apiError) {
	var raw struct {
		Type   string `json:"type"`
		ChatID any    `json:"chat_id"`
		UserID int64  `json:"user_id"`
	}
	if _, err := p.object("scope", &raw); err != nil {
		return CommandScope{}, err
	}
	sc := CommandScope{Type: raw.Type, UserID: raw.UserID, Language: p.str("language_code")}
	if sc.Type == "" {
		sc.Type = "default"
	}
	if !slices.Contains(scopeTypes, sc.Type) {
		return CommandScope{}, badRequest("unsupported bot command scope type " + strconv.Quote(sc.Type))
	}
	if sc.Language != "" && !languageRE.MatchString(sc.Language) {
		return CommandScope{}, badRequest("invalid language code specified")
	}
	switch sc.Type {
	case "chat", "chat_administrators", "chat_member":
		var id string
		switch v := raw.ChatID.(type) {
		case string:
			id = v
		case float64:
			id = strconv.FormatInt(int64(v), 10)
		}
		c, err := s.chat(&params{values: map[string]string{"chat_id": id}})
		if err != nil {
			return CommandScope{}, err
		}
		sc.ChatID = c.ID
	}
	if sc.Type == "chat_member" && sc.UserID == 0 {
		return CommandScope{}, badRequest("user not found")
	}
	return sc, nil
}
