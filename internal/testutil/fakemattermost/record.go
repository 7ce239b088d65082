package fakemattermost

import (
	"bytes"
	"net/http"
	"slices"
	"time"
)

// Post is a post the fake accepted.
type Post struct {
	// Channel is where it went (the webhook's channel when not overridden).
	Channel                      string
	Username, IconURL, IconEmoji string
	Text                         string
	Attachments                  []Attachment
	// Card is props.card.
	Card string
	// Raw is the request body.
	Raw  []byte
	Date time.Time
}

func (p *Post) clone() Post {
	c := *p
	c.Attachments = slices.Clone(p.Attachments)
	for i := range c.Attachments {
		c.Attachments[i].Fields = slices.Clone(p.Attachments[i].Fields)
	}
	c.Raw = bytes.Clone(p.Raw)
	return c
}

// Stats count what the fake answered.
type Stats struct {
	// Requests counts every request, Injected those a Fault failed.
	Requests, Injected int
	// OK, TooManyRequests and Errors count the answers by outcome.
	OK, TooManyRequests, Errors int
}

func (s *Server) count(status int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	switch {
	case status == http.StatusOK:
		s.stats.OK++
	case status == http.StatusTooManyRequests:
		s.stats.TooManyRequests++
	default:
		s.stats.Errors++
	}
}

// Stats returns the counters so far.
func (s *Server) Stats() Stats {
	s.mu.Lock()
	st := s.stats
	s.mu.Unlock()
	st.Requests, st.Injected = s.faults.Counts()
	return st
}

// Posts returns the accepted posts in order.
func (s *Server) Posts() []Post { return s.posts.All() }

// WaitPosts waits until at least n posts were accepted.
func (s *Server) WaitPosts(n int, timeout time.Duration) ([]Post, error) {
	return s.posts.Wait(n, timeout)
}
