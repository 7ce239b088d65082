package faketelegram

import (
	"bytes"
	"fmt"
	"maps"
	"slices"
	"strconv"
	"time"
)

// Message is a message the fake accepted, as it stands now.
type Message struct {
	ChatID   int64
	ID       int64
	ThreadID int64
	// Text is the text as sent (HTML when ParseMode is "HTML"); for a photo,
	// its caption.
	Text string
	// Plain is Text after entity parsing: what the user reads.
	Plain               string
	ParseMode           string
	ReplyTo             int64
	DisableNotification bool
	LinkPreviewDisabled bool
	// Photo is the uploaded image of a photo message, nil for text.
	Photo []byte
	// Edits are the texts (captions for photos) that earlier versions had,
	// oldest first; empty when the message was never edited.
	Edits []string
	Date  time.Time
	// ReplyMarkup is the inline keyboard under the message, nil for none.
	// An edit without reply_markup removes it, as on Telegram.
	ReplyMarkup Keyboard
	// MarkupEdits counts the edits that changed the keyboard alone
	// (editMessageReplyMarkup).
	MarkupEdits int
	// Deleted is set once deleteMessage removed the message.
	Deleted bool
	// From is the user who sent the message, 0 for the bot's own
	// messages (the only ones Messages lists).
	From int64
}

// Stats count what the fake answered.
type Stats struct {
	// Requests is every HTTP request, including injected failures.
	Requests int
	// OK, TooManyRequests and Errors count API answers by outcome.
	OK              int
	TooManyRequests int
	Errors          int
	// Injected counts injected failures (500, 502, hangs, resets).
	Injected int
	// Calls counts API answers by method name as requested.
	Calls map[string]int
}

type msgKey struct{ chat, id int64 }

func (m *Message) clone() Message {
	c := *m
	c.Edits = slices.Clone(m.Edits)
	c.Photo = bytes.Clone(m.Photo)
	c.ReplyMarkup = m.ReplyMarkup.clone()
	return c
}

// Messages returns the accepted messages in the order they were sent, with
// their current content.
func (s *Server) Messages() []Message { return s.msgs.All() }

// Message returns one message by chat and id, the bot's or a user's; a
// deleted one is not found.
func (s *Server) Message(chat, id int64) (Message, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	m, ok := s.byID[msgKey{chat, id}]
	if !ok {
		return Message{}, false
	}
	return m.clone(), true
}

// Stats returns the counters so far.
func (s *Server) Stats() Stats {
	s.mu.Lock()
	defer s.mu.Unlock()
	st := s.stats
	st.Calls = maps.Clone(s.stats.Calls)
	st.Requests, st.Injected = s.faults.Counts()
	return st
}

// WaitMessages waits until at least n messages were accepted and returns
// them; after timeout it returns what arrived and an error.
func (s *Server) WaitMessages(n int, timeout time.Duration) ([]Message, error) {
	return s.msgs.Wait(n, timeout)
}

// store records a new message in chat; the caller holds s.mu.
func (s *Server) store(m *Message) {
	s.nextID[m.ChatID]++
	m.ID = s.nextID[m.ChatID]
	m.Date = time.Now()
	s.byID[msgKey{m.ChatID, m.ID}] = m
	s.msgs.Add(m)
}

// revise replaces the text (and, unless photo is nil, the photo) and the
// keyboard of a stored message, keeping the old text in Edits; inside
// s.msgs.Update.
func (m *Message) revise(text, plain, mode string, photo []byte, kb Keyboard) {
	m.Edits = append(m.Edits, m.Text)
	m.Text, m.Plain, m.ParseMode, m.ReplyMarkup = text, plain, mode, kb
	if photo != nil {
		m.Photo = photo
	}
}

// chatObject is the Bot API's Chat object for c.
func chatObject(c *Chat) map[string]any {
	chat := map[string]any{"id": c.ID, "type": c.kind()}
	if c.Username != "" {
		chat["username"] = c.Username
	}
	if c.ID < 0 {
		chat["title"] = "Chat " + strconv.FormatInt(c.ID, 10)
	} else {
		chat["first_name"] = "User " + strconv.FormatInt(c.ID, 10)
	}
	return chat
}

// result is the Bot API's Message object for m.
func (m *Message) result(c *Chat) map[string]any {
	chat := chatObject(c)
	r := map[string]any{"message_id": m.ID, "date": m.Date.Unix(), "chat": chat}
	if m.From != 0 {
		// A user's message; the caller adds "from".
		if ents := textEntities(m.Plain); len(ents) > 0 {
			r["entities"] = ents
		}
	}
	if m.ReplyMarkup != nil {
		r["reply_markup"] = m.ReplyMarkup.result()
	}
	if m.ThreadID != 0 {
		r["message_thread_id"] = m.ThreadID
		r["is_topic_message"] = true
	}
	if m.ReplyTo != 0 {
		r["reply_to_message"] = map[string]any{"message_id": m.ReplyTo, "chat": chat, "date": m.Date.Unix()}
	}
	if len(m.Edits) > 0 {
		r["edit_date"] = time.Now().Unix()
	}
	if m.Photo != nil {
		id := fmt.Sprintf("photo-%d-%d-%d", m.ChatID, m.ID, len(m.Edits))
		r["photo"] = []map[string]any{{"file_id": id, "file_unique_id": id, "width": 1, "height": 1, "file_size": len(m.Photo)}}
		if m.Plain != "" {
			r["caption"] = m.Plain
		}
	} else {
		r["text"] = m.Plain
	}
	return r
}
