package fakedingtalk

import (
	"bytes"
	"fmt"
	"maps"
	"slices"
	"time"
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
func (s *Server) Messages() []Message {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.snapshot()
}

func (s *Server) snapshot() []Message {
	out := make([]Message, len(s.msgs))
	for i := range s.msgs {
		out[i] = s.msgs[i].clone()
	}
	return out
}

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
	return st
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
			return got, fmt.Errorf("fakedingtalk: %d messages after %v, want %d", len(got), timeout, n)
		}
	}
}

// store records an accepted message; the caller holds s.mu.
func (s *Server) store(m *Message) {
	m.Received = time.Now()
	s.msgs = append(s.msgs, *m)
	// Wake every WaitMessages: closing broadcasts, a fresh channel re-arms.
	close(s.changed)
	s.changed = make(chan struct{})
}
