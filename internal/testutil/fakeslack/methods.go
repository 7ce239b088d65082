package fakeslack

import (
	"net/http"
	"strings"
	"time"
)

// method is the handler of one Web API method; it runs with s.mu held.
type method func(s *Server, p *params, now time.Time) (map[string]any, *apiError)

// methods are the Web API methods the fake implements.
var methods = map[string]method{
	"chat.postMessage":             (*Server).postMessage,
	"chat.update":                  (*Server).update,
	"files.getUploadURLExternal":   (*Server).getUploadURL,
	"files.completeUploadExternal": (*Server).completeUpload,
}

// serveAPI answers a Web API call: method, authentication, arguments, the
// planned failures, then the method itself.
func (s *Server) serveAPI(w http.ResponseWriter, r *http.Request, name string) {
	if r.Method != http.MethodPost && r.Method != http.MethodGet {
		s.replyAPI(w, name, nil, &apiError{code: "method_not_supported_for_channel_type", status: http.StatusMethodNotAllowed}, "")
		return
	}
	h, ok := methods[name]
	if !ok {
		s.replyAPI(w, name, nil, &apiError{code: "unknown_method", status: http.StatusNotFound}, "")
		return
	}
	p, aerr := readParams(r)
	switch {
	case aerr != nil:
	case p.token == "":
		aerr = fail("not_authed")
	case p.token != s.token:
		aerr = fail("invalid_auth")
	}
	if aerr != nil {
		s.replyAPI(w, name, nil, aerr, "")
		return
	}
	if f, code := s.plannedFailure(name); f != nil {
		s.faults.Inject(w, r, f)
		return
	} else if code != "" {
		s.replyAPI(w, name, nil, fail(code), "")
		return
	}
	warning := ""
	if p.isJSON && !p.charset {
		warning = "missing_charset"
	}
	s.mu.Lock()
	result, aerr := h(s, p, time.Now())
	s.mu.Unlock()
	s.replyAPI(w, name, result, aerr, warning)
}

// channel finds a channel by id, or by name ("alerts" or "#alerts") as
// chat.postMessage allows, and checks that the app can post there.
func (s *Server) channel(ref string) (*Channel, *apiError) {
	c, ok := s.channels[ref]
	if !ok {
		name := strings.TrimPrefix(ref, "#")
		for _, ch := range s.channels {
			if ch.Name != "" && ch.Name == name {
				c, ok = ch, true
			}
		}
	}
	switch {
	case !ok || ref == "":
		return nil, fail("channel_not_found")
	case c.Archived:
		return nil, fail("is_archived")
	case c.NotMember:
		return nil, fail("not_in_channel")
	}
	return c, nil
}

// postMessage is chat.postMessage.
func (s *Server) postMessage(p *params, now time.Time) (map[string]any, *apiError) {
	c, aerr := s.channel(p.str("channel"))
	if aerr != nil {
		return nil, aerr
	}
	m, aerr := s.readContent(p)
	if aerr != nil {
		return nil, aerr
	}
	if thread := p.str("thread_ts"); thread != "" {
		parent, ok := s.byTS[c.ID+"/"+thread]
		if !ok {
			return nil, fail("thread_not_found")
		}
		if parent.ThreadTS != "" {
			// Slack wants the parent's ts, never a reply's.
			return nil, fail("thread_not_found")
		}
		m.ThreadTS = thread
	}
	if wait := s.limits.allow(channelKey(c.ID), now); wait > 0 {
		return nil, tooFast(wait)
	}
	m.Channel = c.ID
	s.store(m, now)
	return map[string]any{"channel": c.ID, "ts": m.TS, "message": m.result()}, nil
}

// update is chat.update: it needs the channel id and the ts of a message
// the app posted there.
func (s *Server) update(p *params, now time.Time) (map[string]any, *apiError) {
	ref := p.str("channel")
	if _, ok := s.channels[ref]; !ok {
		return nil, fail("channel_not_found") // an id, not a name
	}
	c, aerr := s.channel(ref)
	if aerr != nil {
		return nil, aerr
	}
	old, ok := s.byTS[c.ID+"/"+p.str("ts")]
	switch {
	case !ok:
		return nil, fail("message_not_found")
	case old.Webhook:
		return nil, fail("cant_update_message")
	}
	m, aerr := s.readContent(p)
	if aerr != nil {
		return nil, aerr
	}
	if wait := s.limits.allowTier("chat.update", tier3, now); wait > 0 {
		return nil, tooFast(wait)
	}
	s.msgs.Update(func() { old.replace(m) })
	return map[string]any{"channel": c.ID, "ts": old.TS, "text": old.Text}, nil
}

// readContent reads and checks the text and blocks of a message.
func (s *Server) readContent(p *params) (*Message, *apiError) {
	text := p.str("text")
	blocks, hasBlocks := p.raw("blocks")
	if strings.TrimSpace(text) == "" && !hasBlocks {
		return nil, fail("no_text")
	}
	if units(text) > MaxMessageText {
		return nil, fail("msg_too_long")
	}
	m, problems := parseMessage(text, blocks)
	if len(problems) > 0 {
		return nil, fail("invalid_blocks", problems...)
	}
	if v, ok := p.bool("unfurl_links"); ok {
		m.UnfurlLinks = &v
	}
	if v, ok := p.bool("unfurl_media"); ok {
		m.UnfurlMedia = &v
	}
	return m, nil
}

// tooFast is Slack's rate limit answer.
func tooFast(wait time.Duration) *apiError {
	return &apiError{code: "ratelimited", status: http.StatusTooManyRequests, retry: wait}
}
