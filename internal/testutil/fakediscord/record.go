package fakediscord

import (
	"bytes"
	"fmt"
	"slices"
	"strings"
	"time"
)

// Embed is an embed object as the fake received it.
type Embed struct {
	Title       string       `json:"title,omitempty"`
	Description string       `json:"description,omitempty"`
	URL         string       `json:"url,omitempty"`
	Timestamp   string       `json:"timestamp,omitempty"`
	Color       int          `json:"color,omitempty"`
	Footer      *EmbedFooter `json:"footer,omitempty"`
	Image       *EmbedImage  `json:"image,omitempty"`
	Author      *EmbedAuthor `json:"author,omitempty"`
	Fields      []EmbedField `json:"fields,omitempty"`
}

// EmbedFooter is an embed's footer.
type EmbedFooter struct {
	Text string `json:"text"`
}

// EmbedImage is an embed's image; URL may be attachment://name.
type EmbedImage struct {
	URL string `json:"url"`
}

// EmbedAuthor is an embed's author.
type EmbedAuthor struct {
	Name string `json:"name"`
}

// EmbedField is an embed's field.
type EmbedField struct {
	Name   string `json:"name"`
	Value  string `json:"value"`
	Inline bool   `json:"inline,omitempty"`
}

// AllowedMentions is the allowed_mentions object as received.
type AllowedMentions struct {
	Parse []string `json:"parse"`
	Users []string `json:"users,omitempty"`
	Roles []string `json:"roles,omitempty"`
}

// Attachment is a file of a message.
type Attachment struct {
	ID          string
	Filename    string
	Description string
	ContentType string
	Data        []byte
	Width       int
	Height      int
}

// Revision is an earlier version of an edited message.
type Revision struct {
	Content     string
	Embeds      []Embed
	Attachments []Attachment
}

// Message is a message the fake accepted, as it stands now.
type Message struct {
	ID, WebhookID, ChannelID, ThreadID string
	Content                            string
	Username, AvatarURL                string
	Embeds                             []Embed
	Attachments                        []Attachment
	// AllowedMentions is nil when the request had none.
	AllowedMentions *AllowedMentions
	// Multipart is set when the message was posted as multipart/form-data.
	Multipart bool
	Created   time.Time
	// Edits are the earlier versions, oldest first.
	Edits []Revision
}

// Image returns the file that the first embed's attachment:// image
// names, or nil.
func (m *Message) Image() []byte {
	for _, e := range m.Embeds {
		if e.Image == nil {
			continue
		}
		name, ok := strings.CutPrefix(e.Image.URL, "attachment://")
		if !ok {
			continue
		}
		for _, a := range m.Attachments {
			if a.Filename == name {
				return a.Data
			}
		}
	}
	return nil
}

// Text is everything a reader sees, for tests that look for a word:
// content, then each embed's title, description, fields and footer.
func (m *Message) Text() string {
	var b strings.Builder
	b.WriteString(m.Content)
	for _, e := range m.Embeds {
		fmt.Fprintf(&b, "\n%s\n%s", e.Title, e.Description)
		for _, f := range e.Fields {
			fmt.Fprintf(&b, "\n%s: %s", f.Name, f.Value)
		}
		if e.Footer != nil {
			b.WriteString("\n" + e.Footer.Text)
		}
	}
	return b.String()
}

func (m *Message) clone() Message {
	c := *m
	c.Embeds = cloneEmbeds(m.Embeds)
	c.Attachments = cloneAttachments(m.Attachments)
	c.Edits = slices.Clone(m.Edits)
	return c
}

func cloneEmbeds(es []Embed) []Embed {
	out := slices.Clone(es)
	for i := range out {
		out[i].Fields = slices.Clone(es[i].Fields)
	}
	return out
}

func cloneAttachments(as []Attachment) []Attachment {
	out := slices.Clone(as)
	for i := range out {
		out[i].Data = bytes.Clone(as[i].Data)
	}
	return out
}

// Stats count what the fake answered.
type Stats struct {
	// Requests is every HTTP request, including injected failures.
	Requests int
	// OK, TooManyRequests and Errors count answers by outcome.
	OK, TooManyRequests, Errors int
	// Injected counts injected failures (500, 502, hangs, resets, forced 429s).
	Injected int
	// Posts and Edits count accepted messages and edits.
	Posts, Edits int
	// NoWait counts posts without wait=true (answered 204, no message id).
	NoWait int
}

// Request is one answered request, without the token.
type Request struct {
	Method, Path, Query string
	Status              int
	At                  time.Time
}

// Messages returns the accepted messages in the order they were posted,
// with their current content.
func (s *Server) Messages() []Message { return s.msgs.All() }

// Message returns one message by id.
func (s *Server) Message(id string) (Message, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	m, ok := s.byID[id]
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
	st.Requests, st.Injected = s.faults.Counts()
	return st
}

// Requests returns the answered requests in order.
func (s *Server) Requests() []Request {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.requests)
}

// WaitMessages waits until at least n messages were accepted and returns
// them; after timeout it returns what arrived and an error.
func (s *Server) WaitMessages(n int, timeout time.Duration) ([]Message, error) {
	return s.msgs.Wait(n, timeout)
}
