package fakefeishu

import (
	"bytes"
	"maps"
	"slices"
	"strings"
	"time"
)

// Message is a message the fake accepted.
type Message struct {
	// Token is the token of the bot it was sent to.
	Token string
	// MsgType is "interactive" or "text".
	MsgType string
	// Title and Colour are the card's header text and template.
	Title, Colour string
	// Markdown are the card's markdown texts (markdown elements and div
	// texts) in order, or a text message's text.
	Markdown []string
	// Fields are the lark_md texts of the div fields.
	Fields []string
	// Buttons are the card's buttons, ImageKeys its images.
	Buttons   []Button
	ImageKeys []string
	// Signed is set when the request carried a valid signature made at
	// Timestamp (Unix seconds).
	Signed    bool
	Timestamp int64
	// Body is the request body as received.
	Body []byte
	// Received is when the fake accepted it.
	Received time.Time
}

// Button is a card button.
type Button struct {
	Text, Type, URL string
}

// Image is an uploaded image.
type Image struct {
	Key, Type string
	PNG       []byte
}

// AllText is every text of the message a reader sees, one per line: the
// title, the markdown, the fields and the buttons' labels.
func (m *Message) AllText() string {
	parts := append([]string{m.Title}, m.Markdown...)
	parts = append(parts, m.Fields...)
	for _, b := range m.Buttons {
		parts = append(parts, b.Text)
	}
	return strings.Join(parts, "\n")
}

// ButtonURL returns the URL of the button labelled text, "" when there
// is none.
func (m *Message) ButtonURL(text string) string {
	for _, b := range m.Buttons {
		if b.Text == text {
			return b.URL
		}
	}
	return ""
}

func (m *Message) clone() Message {
	c := *m
	c.Markdown = slices.Clone(m.Markdown)
	c.Fields = slices.Clone(m.Fields)
	c.Buttons = slices.Clone(m.Buttons)
	c.ImageKeys = slices.Clone(m.ImageKeys)
	c.Body = bytes.Clone(m.Body)
	return c
}

// Stats count what the fake answered.
type Stats struct {
	// Requests is every HTTP request, including injected failures.
	Requests int
	// OK counts accepted requests (messages, tokens, uploads), TooFast the
	// 11232 answers and Errors every other refusal.
	OK, TooFast, Errors int
	// Injected counts injected failures.
	Injected int
	// Codes counts answers by code (0 for success).
	Codes map[int]int
	// TokenRequests and Uploads count the calls of those APIs.
	TokenRequests, Uploads int
}

// Messages returns the accepted messages in the order they arrived.
func (s *Server) Messages() []Message { return s.msgs.All() }

// WaitMessages waits until at least n messages were accepted and returns
// them; after timeout it returns what arrived and an error.
func (s *Server) WaitMessages(n int, timeout time.Duration) ([]Message, error) {
	return s.msgs.Wait(n, timeout)
}

// Images returns the uploaded images by key.
func (s *Server) Images() map[string]Image {
	s.mu.Lock()
	defer s.mu.Unlock()
	return maps.Clone(s.images)
}

// Warnings returns what Feishu would have accepted but Herald must not
// send: fields Feishu ignores.
func (s *Server) Warnings() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.warnings)
}

// Stats returns the counters so far.
func (s *Server) Stats() Stats {
	s.mu.Lock()
	defer s.mu.Unlock()
	st := s.stats
	st.Codes = maps.Clone(s.stats.Codes)
	st.Requests, st.Injected = s.faults.Counts()
	return st
}
