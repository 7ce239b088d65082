package fakewecom

import (
	"bytes"
	"fmt"
	"slices"
	"time"
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

// record stores an accepted message and wakes WaitMessages.
func (s *Server) record(m Message) {
	s.mu.Lock()
	defer s.mu.Unlock()
	m.Time = time.Now()
	s.msgs = append(s.msgs, m)
	// Closing broadcasts to every waiter; a fresh channel re-arms.
	close(s.changed)
	s.changed = make(chan struct{})
}

// Messages returns the accepted messages in the order they arrived.
func (s *Server) Messages() []Message {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.snapshot()
}

func (s *Server) snapshot() []Message {
	out := make([]Message, len(s.msgs))
	for i, m := range s.msgs {
		out[i] = m.clone()
	}
	return out
}

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
	return s.stats
}

// WaitMessages waits until at least n messages were accepted and returns
// them; after timeout it returns what arrived and an error.
func (s *Server) WaitMessages(n int, timeout time.Duration) ([]Message, error) {
	deadline := time.NewTimer(timeout)
	defer deadline.Stop()
	for {
		s.mu.Lock()
		if len(s.msgs) >= n {
			defer s.mu.Unlock()
			return s.snapshot(), nil
		}
		changed := s.changed
		s.mu.Unlock()
		select {
		case <-changed:
		case <-deadline.C:
			got := s.Messages()
			return got, fmt.Errorf("fakewecom: %d messages after %v, want %d (stats %+v)", len(got), timeout, n, s.Stats())
		}
	}
}
