package fakedingtalk

import (
	"bytes"
	"maps"
	"slices"
	"time"

	"github.com/heraldhq/herald/internal/testutil/fakemarkdown"
)

// Message is a message the fake accepted.
type Message struct {
	// Token is the access_token of the robot that sent it.
	Token string
	// MsgType is "markdown" or "text".
	MsgType string
	// Title is markdown.title ("" for text messages).
	Title string
	// Text is markdown.text, or text.content.
	Text string
	// AtMobiles, AtUserIDs and IsAtAll are the "at" object.
	AtMobiles []string
	AtUserIDs []string
	IsAtAll   bool
	// Signed is set when the request carried a valid signature, made at
	// Timestamp (Unix milliseconds).
	Signed    bool
	Timestamp int64
	// Body is the request body as received.
	Body []byte
	// Received is when the fake accepted it.
	Received time.Time
}

// Markup is one element of a message as DingTalk shows it: a link, an
// image, a mention or formatting.
type Markup = fakemarkdown.Element

// Markup reads the message's text the way DingTalk's markdown does
// (https://open.dingtalk.com/document/orgapp/message-types-and-data-format,
// markdown类型: headings, quotes, bold, italic, links, images, lists, and in
// practice <font> and a few HTML tags, bare URLs made clickable) and
// returns every element in it, in the order of the text. A text message is
// read the same way: stricter than DingTalk, which is what a fake is for.
func (m *Message) Markup() []Markup {
	return fakemarkdown.Markdown(m.Text, slices.Concat(m.AtMobiles, m.AtUserIDs))
}

// Links returns the links of the message (markdown, HTML, autolinks and
// bare URLs).
func (m *Message) Links() []Markup { return fakemarkdown.OfKind(m.Markup(), "link") }

// Images returns the images of the message.
func (m *Message) Images() []Markup { return fakemarkdown.OfKind(m.Markup(), "image") }

// Mentions returns what the text mentions: "@all" and the like, "<@…>",
// and "@" followed by a mobile or user id of the at object, which
// DingTalk highlights.
func (m *Message) Mentions() []Markup { return fakemarkdown.OfKind(m.Markup(), "mention") }

// Formatting returns every element that is neither a link, an image nor a
// mention.
func (m *Message) Formatting() []Markup { return fakemarkdown.Formatting(m.Markup()) }

// Stats count what the fake answered.
type Stats struct {
	// Requests is every HTTP request, including injected failures.
	Requests int
	// OK counts accepted messages, TooFast the 130101 answers and Errors
	// every other refusal.
	OK      int
	TooFast int
	Errors  int
	// Injected counts injected failures.
	Injected int
	// Codes counts answers by errcode (0 for success).
	Codes map[int]int
}

func (m *Message) clone() Message {
	c := *m
	c.AtMobiles = slices.Clone(m.AtMobiles)
	c.AtUserIDs = slices.Clone(m.AtUserIDs)
	c.Body = bytes.Clone(m.Body)
	return c
}

// Messages returns the accepted messages in the order they arrived.
func (s *Server) Messages() []Message { return s.msgs.All() }

// Warnings returns what DingTalk would have accepted but Herald must not
// send: mentions missing from the text, unknown fields.
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

// WaitMessages waits until at least n messages were accepted and returns
// them; after timeout it returns what arrived and an error.
func (s *Server) WaitMessages(n int, timeout time.Duration) ([]Message, error) {
	return s.msgs.Wait(n, timeout)
}
