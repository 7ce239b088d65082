package fakewecom

import (
	"bytes"
	"fmt"
	"slices"
	"time"

	"github.com/heraldhq/herald/internal/testutil/fakemarkdown"
)

// Message is a message the fake accepted.
type Message struct {
	// Type is the msgtype: text, markdown or image.
	Type string
	// Content is the content of a text or markdown message.
	Content string
	// MentionedList and MentionedMobileList are a text message's mentions.
	MentionedList       []string
	MentionedMobileList []string
	// Image is the decoded image of an image message; ImageFormat is "png"
	// or "jpeg", Width and Height its size.
	Image         []byte
	ImageFormat   string
	Width, Height int
	// Time is when the fake accepted it.
	Time time.Time
}

// Markup is one element of a message as WeCom shows it: a link, an image,
// a mention or formatting.
type Markup = fakemarkdown.Element

// Markup reads the content the way WeCom does and returns every element
// in it, in the order of the text. Markdown content is read as WeCom's
// markdown subset (https://developer.work.weixin.qq.com/document/path/91770,
// markdown类型: headings, bold, links, inline code, quotes, <font color>,
// and the <@userid> mentions), made stricter with what other markdown
// readers take (images, italics, lists, HTML, bare URLs made clickable),
// so that anything some client could render as markup counts. Text
// content is plain except for <@userid> mentions and clickable URLs.
func (m *Message) Markup() []Markup {
	switch m.Type {
	case "markdown":
		// WeCom's only mention in markdown is <@userid>, which every
		// reading counts: no "@" names of its own.
		return fakemarkdown.Markdown(m.Content, nil)
	case "text":
		return fakemarkdown.Text(m.Content)
	}
	return nil
}

// Links returns the links of the content (markdown, HTML, autolinks and
// bare URLs).
func (m *Message) Links() []Markup { return fakemarkdown.OfKind(m.Markup(), "link") }

// Images returns the images drawn inside the content (an image message
// is not one of them).
func (m *Message) Images() []Markup { return fakemarkdown.OfKind(m.Markup(), "image") }

// Mentions returns what the content mentions: "<@userid>" and "@all" and
// the like. A text message's mentioned_list and mentioned_mobile_list are
// not in it.
func (m *Message) Mentions() []Markup { return fakemarkdown.OfKind(m.Markup(), "mention") }

// Formatting returns every element that is neither a link, an image nor a
// mention.
func (m *Message) Formatting() []Markup { return fakemarkdown.Formatting(m.Markup()) }

// Stats count what the fake answered.
type Stats struct {
	// Requests is every HTTP request, including injected failures.
	Requests int
	// OK counts accepted messages.
	OK int
	// RateLimited counts 45009 answers of the rate limit (not injected ones).
	RateLimited int
	// Errors counts other refusals; LastError is the last one's code and message.
	Errors    int
	LastError string
	// Injected counts injected failures.
	Injected int
}

func (m Message) clone() Message {
	m.MentionedList = slices.Clone(m.MentionedList)
	m.MentionedMobileList = slices.Clone(m.MentionedMobileList)
	m.Image = bytes.Clone(m.Image)
	return m
}

// Messages returns the accepted messages in the order they arrived.
func (s *Server) Messages() []Message { return s.msgs.All() }

// Markdown returns the contents of the accepted markdown messages, in order.
func (s *Server) Markdown() []string {
	var out []string
	for _, m := range s.Messages() {
		if m.Type == "markdown" {
			out = append(out, m.Content)
		}
	}
	return out
}

// Stats returns the counters so far.
func (s *Server) Stats() Stats {
	s.mu.Lock()
	defer s.mu.Unlock()
	st := s.stats
	st.Requests, st.Injected = s.faults.Counts()
	return st
}

// WaitMessages waits until at least n messages were accepted and returns
// them; after timeout it returns what arrived and an error.
func (s *Server) WaitMessages(n int, timeout time.Duration) ([]Message, error) {
	msgs, err := s.msgs.Wait(n, timeout)
	if err != nil {
		err = fmt.Errorf("%w (stats %+v)", err, s.Stats())
	}
	return msgs, err
}
