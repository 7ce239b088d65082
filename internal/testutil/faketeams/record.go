package faketeams

import (
	"fmt"
	"strings"
	"time"
)

// Message is a post the fake accepted, with what its card shows.
type Message struct {
	// Body is the post as sent.
	Body []byte
	// Card is the Adaptive Card, decoded.
	Card map[string]any
	// Version is the card's version.
	Version string
	// Style is the style of the card's first Container ("" without one):
	// the colour of Herald's header band.
	Style string
	// Texts are the texts of every TextBlock, in order, as sent (Markdown).
	Texts []string
	// Plain is Texts joined by line breaks with Markdown's backslash
	// escapes removed: what people read.
	Plain string
	// Links are the targets of the links Teams makes in the texts and
	// facts: [text](url) and bare URLs.
	Links []string
	// Mentions are the <at>…</at> tags of the texts and facts (a mention
	// when msteams.entities names it, stray markup otherwise).
	Mentions []string
	// Formats are the formatting Teams applies in the texts and facts.
	Formats []Format
	// Facts are every FactSet's facts, in order, as sent.
	Facts []Fact
	// Images are the card's Image elements.
	Images []Image
	// Actions are the card's actions, in order, also those inside
	// ActionSets.
	Actions []Action
	// RunID is the workflow run id the fake answered with.
	RunID    string
	Received time.Time
}

// Fact is one row of a FactSet.
type Fact struct{ Title, Value string }

// Image is an Image element.
type Image struct{ URL, AltText string }

// Action is a card action; URL is set for Action.OpenUrl.
type Action struct{ Type, Title, URL string }

// Stats count what the fake answered.
type Stats struct {
	// Requests is every HTTP request, including injected failures.
	Requests int
	// Accepted counts posts answered 202 (or 200 "1" in legacy mode).
	Accepted int
	// TooManyRequests counts 429 answers of the rate limiter (not of
	// FaultThrottle).
	TooManyRequests int
	// Rejected counts other error answers (400, 401, 404, 405, 413);
	// TooLarge counts the 413s among them.
	Rejected int
	TooLarge int
	// Injected counts injected failures.
	Injected int
	// LastError is the last error answer, for test failure messages.
	LastError string
}

// Messages returns the accepted posts in the order they arrived.
func (s *Server) Messages() []Message { return s.msgs.All() }

// Stats returns the counters so far.
func (s *Server) Stats() Stats {
	s.mu.Lock()
	defer s.mu.Unlock()
	st := s.stats
	st.Requests, st.Injected = s.faults.Counts()
	return st
}

// WaitMessages waits until at least n posts were accepted and returns
// them; after timeout it returns what arrived and an error.
func (s *Server) WaitMessages(n int, timeout time.Duration) ([]Message, error) {
	msgs, err := s.msgs.Wait(n, timeout)
	if err != nil {
		err = fmt.Errorf("%w (last error: %s)", err, s.Stats().LastError)
	}
	return msgs, err
}

// Unescape removes Markdown's backslash escapes from s: a backslash before
// ASCII punctuation stands for that character (CommonMark), which is how
// Teams shows it.
func Unescape(s string) string {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if s[i] == '\\' && i+1 < len(s) && isASCIIPunct(s[i+1]) {
			i++
		}
		b.WriteByte(s[i])
	}
	return b.String()
}

func isASCIIPunct(c byte) bool {
	return strings.IndexByte("!\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~", c) >= 0
}
