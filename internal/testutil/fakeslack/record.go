package fakeslack

import (
	"bytes"
	"encoding/json"
	"fmt"
	"maps"
	"slices"
	"sort"
	"time"
)

// Message is a message the fake accepted, as it stands now.
type Message struct {
	// Channel is the channel id; TS the message's ts; ThreadTS the ts of
	// the thread's parent for a reply.
	Channel, TS, ThreadTS string
	// Webhook is set for a message posted through the incoming webhook.
	Webhook bool
	// Text is the top-level text as sent (notifications' fallback).
	Text string
	// Blocks are the blocks as sent.
	Blocks json.RawMessage
	// Header is the header block's text; Sections the section texts and
	// Context the context texts, as sent (mrkdwn).
	Header   string
	Sections []string
	Context  []string
	Buttons  []Button
	Images   []Image
	// Plain is what a reader sees: the header, then the sections and the
	// context rendered (links shown by their label, entities decoded); the
	// text alone for a message without blocks.
	Plain string
	// Mentions are the control sequences that notify people (<!channel>,
	// <@U123>) found in the mrkdwn texts, and the bare @here, @channel and
	// @everyone Slack parses in texts that are not verbatim.
	Mentions []string
	// Links are the URLs of the links in the mrkdwn texts (<url|label>),
	// and the bare URLs Slack links in texts that are not verbatim.
	Links []string
	// Formats are the formatting Slack applies in the mrkdwn texts (see
	// Format); mentions and links are above.
	Formats []Format
	// UnfurlLinks and UnfurlMedia are the options as sent (nil: absent).
	UnfurlLinks, UnfurlMedia *bool
	// Edits are the earlier versions' Plain, oldest first (chat.update).
	Edits []string
	Date  time.Time
}

// Button is a button of an actions block.
type Button struct{ Text, URL string }

// Image is an image block.
type Image struct{ URL, Alt, Title string }

// File is a file announced with files.getUploadURLExternal.
type File struct {
	ID, Name, Title, AltText string
	// Bytes are the uploaded bytes (nil until uploaded).
	Bytes []byte
	// Shared is set once files.completeUploadExternal completed the
	// upload; Channel and ThreadTS say where it went (Channel is empty for
	// a private file).
	Shared            bool
	Channel, ThreadTS string
	Date              time.Time

	length   int
	uploaded bool
}

// Stats count what the fake answered.
type Stats struct {
	// Requests is every HTTP request, including injected failures.
	Requests int
	// OK, TooManyRequests and Errors count answers by outcome.
	OK, TooManyRequests, Errors int
	// Injected counts injected failures (500, 502, hangs, resets).
	Injected int
	// Calls counts answers by method ("webhook", "upload" included).
	Calls map[string]int
}

func (m *Message) clone() Message {
	c := *m
	c.Blocks = bytes.Clone(m.Blocks)
	c.Sections = slices.Clone(m.Sections)
	c.Context = slices.Clone(m.Context)
	c.Buttons = slices.Clone(m.Buttons)
	c.Images = slices.Clone(m.Images)
	c.Mentions = slices.Clone(m.Mentions)
	c.Links = slices.Clone(m.Links)
	c.Edits = slices.Clone(m.Edits)
	return c
}

// replace makes m show the content of n (chat.update), keeping the
// earlier version in Edits.
func (m *Message) replace(n *Message) {
	edits := append(m.Edits, m.Plain)
	channel, ts, thread, date := m.Channel, m.TS, m.ThreadTS, m.Date
	*m = *n
	m.Channel, m.TS, m.ThreadTS, m.Date, m.Edits = channel, ts, thread, date, edits
}

// result is the message object of chat.postMessage's answer.
func (m *Message) result() map[string]any {
	r := map[string]any{"type": "message", "ts": m.TS, "text": m.Text, "bot_id": "B0FAKE"}
	if m.ThreadTS != "" {
		r["thread_ts"] = m.ThreadTS
	}
	if len(m.Blocks) > 0 {
		r["blocks"] = m.Blocks
	}
	return r
}

// Messages returns the accepted messages in the order they were sent, with
// their current content.
func (s *Server) Messages() []Message { return s.msgs.All() }

// Message returns one message by channel id and ts.
func (s *Server) Message(channel, ts string) (Message, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	m, ok := s.byTS[channel+"/"+ts]
	if !ok {
		return Message{}, false
	}
	return m.clone(), true
}

// Thread returns the replies to the message ts in channel, oldest first.
func (s *Server) Thread(channel, ts string) []Message {
	var out []Message
	for _, m := range s.msgs.All() {
		if m.Channel == channel && m.ThreadTS == ts {
			out = append(out, m)
		}
	}
	return out
}

func (f *File) clone() File {
	c := *f
	c.Bytes = bytes.Clone(f.Bytes)
	return c
}

// Files returns the files whose upload was completed, oldest first.
func (s *Server) Files() []File {
	out := s.shared.All()
	sort.Slice(out, func(i, j int) bool { return out[i].ID < out[j].ID })
	return out
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

// WaitFiles waits until at least n uploads were completed and returns the
// files; after timeout it returns what arrived and an error.
func (s *Server) WaitFiles(n int, timeout time.Duration) ([]File, error) {
	_, err := s.shared.Wait(n, timeout)
	return s.Files(), err
}

// store records a new message; the caller holds s.mu.
func (s *Server) store(m *Message, now time.Time) {
	s.seq++
	m.TS = fmt.Sprintf("%d.%06d", now.Unix(), s.seq)
	m.Date = now
	s.byTS[m.Channel+"/"+m.TS] = m
	s.msgs.Add(m)
}
