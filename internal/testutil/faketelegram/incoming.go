package faketelegram

import (
	"errors"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"
)

// User is a Telegram user as updates show them.
type User struct {
	ID        int64
	Username  string // without "@"
	FirstName string // default "User <id>"
	// LanguageCode is the IETF tag of the user's client (default "en";
	// "-" for none, as Telegram leaves it out when it does not know).
	LanguageCode string
	IsBot        bool
}

// Incoming is a message someone sends to the bot, for PushIncoming.
type Incoming struct {
	// Chat is where it is written: the user's id for a private chat,
	// negative for a group. An unknown chat is added (the bot is in every
	// chat it hears from).
	Chat int64
	From User
	Text string
	// ReplyTo is the message (of Chat: the bot's or a user's) it replies
	// to; it must exist.
	ReplyTo int64
	// ThreadID is the forum topic.
	ThreadID int64
}

// AddUser records the details of a user (username, language) for the
// updates that name them by id, such as PushCallback's.
func (s *Server) AddUser(u User) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.bot.users[u.ID] = u
}

// userObject is the Bot API's User object of id; the caller holds s.mu.
func (s *Server) userObject(id int64) map[string]any {
	u, ok := s.bot.users[id]
	if !ok {
		u = User{ID: id}
	}
	o := map[string]any{"id": id, "is_bot": u.IsBot, "first_name": u.FirstName}
	if u.FirstName == "" {
		o["first_name"] = "User " + strconv.FormatInt(id, 10)
	}
	if u.Username != "" {
		o["username"] = u.Username
	}
	switch u.LanguageCode {
	case "":
		o["language_code"] = "en"
	case "-":
	default:
		o["language_code"] = u.LanguageCode
	}
	return o
}

// incomingChat returns the chat id, added when unknown; the caller holds
// s.mu.
func (s *Server) incomingChat(id int64) *Chat {
	c, ok := s.chats[id]
	if !ok {
		c = &Chat{ID: id}
		s.chats[id] = c
	}
	return c
}

// PushMessage queues a text message from user in chat (a command such as
// "/alerts" or plain text) and returns its update_id.
func (s *Server) PushMessage(chat, user int64, text string) int64 {
	id, _, err := s.PushIncoming(Incoming{Chat: chat, From: User{ID: user}, Text: text})
	if err != nil {
		panic(err) // no reply, no thread: cannot fail
	}
	return id
}

// PushIncoming queues a message from in.From in in.Chat and returns its
// update_id and message_id. Its entities are Telegram's: bot_command for
// "/command" and "/command@bot" at the start of a word, mention for
// "@username", url for links, with offsets and lengths in UTF-16 units.
// A reply includes the replied message, as Telegram does.
func (s *Server) PushIncoming(in Incoming) (update, message int64, err error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if in.From.ID == 0 {
		return 0, 0, errors.New("faketelegram: an incoming message needs From.ID")
	}
	if _, known := s.bot.users[in.From.ID]; !known || in.From != (User{ID: in.From.ID}) {
		s.bot.users[in.From.ID] = in.From
	}
	c := s.incomingChat(in.Chat)
	m := &Message{ChatID: c.ID, ThreadID: in.ThreadID, Text: in.Text, Plain: in.Text, From: in.From.ID}
	if in.ReplyTo != 0 {
		if _, ok := s.byID[msgKey{c.ID, in.ReplyTo}]; !ok {
			return 0, 0, errors.New("faketelegram: the message to reply to does not exist")
		}
		m.ReplyTo = in.ReplyTo
	}
	s.nextID[c.ID]++
	m.ID, m.Date = s.nextID[c.ID], time.Now()
	s.byID[msgKey{c.ID, m.ID}] = m
	return s.push("message", s.incomingObject(c, m)), m.ID, nil
}

// PushEdited queues an edited_message: the user changed the text of their
// message msg of chat.
func (s *Server) PushEdited(chat, msg int64, text string) (int64, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	m, ok := s.byID[msgKey{chat, msg}]
	if !ok || m.From == 0 {
		return 0, errors.New("faketelegram: no message of a user to edit")
	}
	m.Edits = append(m.Edits, m.Text)
	m.Text, m.Plain = text, text
	obj := s.incomingObject(s.chats[chat], m)
	obj["edit_date"] = time.Now().Unix()
	return s.push("edited_message", obj), nil
}

// incomingObject is the Message object of a user's message; the caller
// holds s.mu.
func (s *Server) incomingObject(c *Chat, m *Message) map[string]any {
	obj := m.result(c)
	obj["from"] = s.userObject(m.From)
	if m.ReplyTo != 0 {
		if r, ok := s.byID[msgKey{c.ID, m.ReplyTo}]; ok {
			reply := r.result(c)
			if r.From != 0 {
				reply["from"] = s.userObject(r.From)
			}
			obj["reply_to_message"] = reply
		}
	}
	return obj
}

// PushCallback queues the press of a button with data under message msg
// of chat by user and returns the callback query's id, which
// answerCallbackQuery must answer. The query carries the message as it
// stands (text and keyboard) when the fake has it, else an inaccessible
// message (date 0), as Telegram sends for old messages. It does not check
// that the message has such a button: see Press.
func (s *Server) PushCallback(chat, msg, user int64, data string) string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.pushCallback(chat, msg, user, data)
}

func (s *Server) pushCallback(chat, msg, user int64, data string) string {
	qid := strconv.FormatInt(user, 10) + "-" + strconv.FormatInt(s.bot.nextID, 10)
	s.bot.queries[qid] = true
	c := s.incomingChat(chat)
	m := map[string]any{"message_id": msg, "date": 0, "chat": chatObject(c)}
	if stored, ok := s.byID[msgKey{chat, msg}]; ok {
		m = stored.result(c)
	}
	s.push("callback_query", map[string]any{"id": qid, "from": s.userObject(user), "message": m,
		"chat_instance": strconv.FormatInt(chat, 10), "data": data})
	return qid
}

// Press queues the press by user of the button labelled label under the
// bot's message msg of chat, as a Telegram client would send it, and
// returns the callback query's id. It fails when the message or the
// button does not exist, or the button is a URL button (a client opens
// the link; the bot hears nothing).
func (s *Server) Press(chat, msg, user int64, label string) (string, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	m, ok := s.byID[msgKey{chat, msg}]
	if !ok || m.From != 0 {
		return "", errors.New("faketelegram: no message of the bot to press a button of")
	}
	b, ok := m.ReplyMarkup.Find(label)
	switch {
	case !ok:
		return "", errors.New("faketelegram: the message has no button " + strconv.Quote(label))
	case b.CallbackData == "":
		return "", errors.New("faketelegram: " + strconv.Quote(label) + " is a URL button")
	}
	return s.pushCallback(chat, msg, user, b.CallbackData), nil
}

// ExpireCallbacks makes every unanswered callback query too old to
// answer, as Telegram does some seconds after the press: answering one
// gets "query is too old".
func (s *Server) ExpireCallbacks() {
	s.mu.Lock()
	defer s.mu.Unlock()
	clear(s.bot.queries)
}

// PushMyChatMember queues a my_chat_member update: user changed the bot's
// status in chat from old to status ("member", "administrator", "left",
// "kicked", ...), e.g. added it to a group or blocked it.
func (s *Server) PushMyChatMember(chat, user int64, old, status string) int64 {
	s.mu.Lock()
	defer s.mu.Unlock()
	c := s.incomingChat(chat)
	id, _, _ := strings.Cut(s.token, ":")
	botID, _ := strconv.ParseInt(id, 10, 64)
	me := map[string]any{"id": botID, "is_bot": true, "first_name": "Herald Fake", "username": "herald_fake_bot"}
	return s.push("my_chat_member", map[string]any{"chat": chatObject(c), "from": s.userObject(user), "date": time.Now().Unix(),
		"old_chat_member": map[string]any{"status": old, "user": me},
		"new_chat_member": map[string]any{"status": status, "user": me}})
}

// botCommandRE is a bot command as Telegram marks it
// (https://core.telegram.org/bots/api#messageentity): "/" and up to 32
// letters, digits and underscores, optionally "@" and the bot's username,
// at the start of a word.
var botCommandRE = regexp.MustCompile(`/[A-Za-z0-9_]{1,32}(?:@[A-Za-z0-9_]{5,32})?`)

// textEntities returns the entities of a user's plain text, by offset:
// bot_command, mention and url.
func textEntities(text string) []map[string]any {
	type span struct {
		typ        string
		start, end int
	}
	var spans []span
	for _, m := range botCommandRE.FindAllStringIndex(text, -1) {
		before, _ := utf8.DecodeLastRuneInString(text[:m[0]])
		after, _ := utf8.DecodeRuneInString(text[m[1]:])
		if (m[0] == 0 || unicode.IsSpace(before)) && (m[1] == len(text) || !isWordRune(after)) {
			spans = append(spans, span{"bot_command", m[0], m[1]})
		}
	}
	for _, m := range autoMention.FindAllStringSubmatchIndex(text, -1) {
		spans = append(spans, span{"mention", m[2], m[3]})
	}
	for _, m := range autoURL.FindAllStringSubmatchIndex(text, -1) {
		sp := span{"url", m[0], m[1]}
		if m[2] >= 0 {
			sp.start, sp.end = m[2], m[3]
		}
		spans = append(spans, sp)
	}
	slices.SortFunc(spans, func(a, b span) int { return a.start - b.start })
	out := make([]map[string]any, 0, len(spans))
	for _, sp := range spans {
		out = append(out, map[string]any{"type": sp.typ, "offset": UTF16Len(text[:sp.start]), "length": UTF16Len(text[sp.start:sp.end])})
	}
	return out
}

func isWordRune(r rune) bool {
	return r == '_' || r == '@' || r == '/' || unicode.IsLetter(r) || unicode.IsDigit(r)
}
