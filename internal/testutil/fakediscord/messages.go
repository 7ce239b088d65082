package fakediscord

import (
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"
)

// create handles Execute Webhook; the caller holds s.mu.
func (s *Server) create(hook *Webhook, r *http.Request, req *request) (*Message, *apiError) {
	thread := r.URL.Query().Get("thread_id")
	if thread != "" && !slices.Contains(hook.Threads, thread) {
		return nil, &apiError{status: http.StatusBadRequest, code: 10003, message: "Unknown Channel"}
	}
	p := &req.payload
	if aerr := validate(p, false); aerr != nil {
		return nil, aerr
	}
	atts, aerr := s.attachments(nil, req, false)
	if aerr != nil {
		return nil, aerr
	}
	if strings.TrimSpace(p.Content) == "" && len(p.Embeds) == 0 && len(atts) == 0 {
		return nil, &apiError{status: http.StatusBadRequest, code: 50006, message: "Cannot send an empty message"}
	}
	if aerr := checkReferences(p.Embeds, atts); aerr != nil {
		return nil, aerr
	}
	m := &Message{
		ID: s.newID(), WebhookID: hook.ID, ChannelID: hook.ChannelID, ThreadID: thread,
		Content: p.Content, Username: p.Username, AvatarURL: p.AvatarURL,
		Embeds: p.Embeds, Attachments: atts, AllowedMentions: p.AllowedMentions,
		Multipart: req.multipart, Created: s.now(),
	}
	s.byID[m.ID] = m
	s.msgs.Add(m)
	return m, nil
}

// edit handles Edit Webhook Message: only a message this webhook sent, in
// the thread the request names, and only the fields the request has.
func (s *Server) edit(hook *Webhook, id string, r *http.Request, req *request) (*Message, *apiError) {
	m, ok := s.byID[id]
	if !ok || m.WebhookID != hook.ID || m.ThreadID != r.URL.Query().Get("thread_id") {
		return nil, notFound(10008, "Unknown Message")
	}
	p := &req.payload
	if aerr := validate(p, true); aerr != nil {
		return nil, aerr
	}
	next := Revision{Content: m.Content, Embeds: m.Embeds, Attachments: m.Attachments}
	if _, ok := req.keys["content"]; ok {
		next.Content = p.Content
	}
	if _, ok := req.keys["embeds"]; ok {
		next.Embeds = p.Embeds
	}
	atts, aerr := s.attachments(m.Attachments, req, true)
	if aerr != nil {
		return nil, aerr
	}
	next.Attachments = atts
	if strings.TrimSpace(next.Content) == "" && len(next.Embeds) == 0 && len(next.Attachments) == 0 {
		return nil, &apiError{status: http.StatusBadRequest, code: 50006, message: "Cannot send an empty message"}
	}
	if aerr := checkReferences(next.Embeds, next.Attachments); aerr != nil {
		return nil, aerr
	}
	s.msgs.Update(func() {
		m.Edits = append(m.Edits, Revision{Content: m.Content, Embeds: m.Embeds, Attachments: m.Attachments})
		m.Content, m.Embeds, m.Attachments = next.Content, next.Embeds, next.Attachments
		if req.payload.AllowedMentions != nil {
			m.AllowedMentions = req.payload.AllowedMentions
		}
	})
	return m, nil
}

// attachments returns a message's files after the request. A new message
// gets every upload, named and described by its entry in "attachments" if
// any. An edit with "attachments" keeps exactly the files listed there
// (retained ones by id, new ones by files[n] index), as API v10 requires
// ("the attachments array must contain all attachments that should be
// present after edit"); an edit without it keeps the old files and appends
// the new ones.
func (s *Server) attachments(old []Attachment, req *request, edit bool) ([]Attachment, *apiError) {
	refs := req.payload.Attachments
	_, listed := req.keys["attachments"]
	var f formErrors
	used := map[int]bool{}
	var out []Attachment
	for i, ref := range refs {
		id := ref.id()
		if n, err := strconv.Atoi(id); err == nil && n < 10 {
			up, ok := req.uploads[n]
			if !ok {
				f.add(fmt.Sprintf("attachments.%d.id", i), "ATTACHMENT_NOT_FOUND", fmt.Sprintf("No files[%d] in the request.", n))
				continue
			}
			used[n] = true
			out = append(out, s.newAttachment(up, ref))
			continue
		}
		idx := slices.IndexFunc(old, func(a Attachment) bool { return a.ID == id })
		if !edit || idx < 0 {
			f.add(fmt.Sprintf("attachments.%d.id", i), "ATTACHMENT_NOT_FOUND", fmt.Sprintf("Unknown attachment %q.", id))
			continue
		}
		out = append(out, old[idx])
	}
	for _, n := range sortedKeys(req.uploads) {
		if used[n] {
			continue
		}
		if edit && listed {
			f.add(fmt.Sprintf("files[%d]", n), "ATTACHMENT_NOT_LISTED", "A new file must be listed in attachments.")
			continue
		}
		out = append(out, s.newAttachment(req.uploads[n], attachmentRef{}))
	}
	if aerr := f.err(); aerr != nil {
		return nil, aerr
	}
	if edit && !listed {
		out = append(slices.Clone(old), out...)
	}
	if len(out) > 10 {
		return nil, invalidForm("attachments", "BASE_TYPE_MAX_LENGTH", "Must be 10 or fewer in length.")
	}
	return out, nil
}

func (s *Server) newAttachment(up *upload, ref attachmentRef) Attachment {
	name := up.filename
	if ref.Filename != "" {
		name = ref.Filename
	}
	return Attachment{ID: s.newID(), Filename: name, Description: ref.Description, ContentType: up.contentType,
		Data: up.data, Width: up.width, Height: up.height}
}

func sortedKeys(m map[int]*upload) []int {
	keys := make([]int, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}

// object is the message object Discord answers with at now: attachment://
// images become CDN links, as Discord rewrites them.
func (m *Message) object(now time.Time) map[string]any {
	cdn := func(a Attachment) string {
		return fmt.Sprintf("https://cdn.discordapp.com/attachments/%s/%s/%s", m.ChannelID, a.ID, a.Filename)
	}
	atts := make([]map[string]any, 0, len(m.Attachments))
	for _, a := range m.Attachments {
		atts = append(atts, map[string]any{"id": a.ID, "filename": a.Filename, "size": len(a.Data), "url": cdn(a),
			"proxy_url": cdn(a), "content_type": a.ContentType, "width": a.Width, "height": a.Height})
	}
	embeds := cloneEmbeds(m.Embeds)
	for i := range embeds {
		if embeds[i].Image == nil {
			continue
		}
		if name, ok := strings.CutPrefix(embeds[i].Image.URL, "attachment://"); ok {
			for _, a := range m.Attachments {
				if a.Filename == name {
					embeds[i].Image = &EmbedImage{URL: cdn(a)}
				}
			}
		}
	}
	obj := map[string]any{
		"id": m.ID, "type": 0, "channel_id": m.ChannelID, "webhook_id": m.WebhookID, "content": m.Content,
		"author": map[string]any{"id": m.WebhookID, "username": orDefault(m.Username, "Captain Hook"), "bot": true, "discriminator": "0000"},
		"embeds": embeds, "attachments": atts, "mentions": []any{}, "mention_roles": []any{}, "mention_everyone": false,
		"pinned": false, "tts": false, "flags": 0, "timestamp": m.Created.UTC().Format(time.RFC3339Nano), "edited_timestamp": nil,
	}
	if len(m.Edits) > 0 {
		obj["edited_timestamp"] = now.UTC().Format(time.RFC3339Nano)
	}
	if m.ThreadID != "" {
		obj["position"] = 0
	}
	return obj
}

func orDefault(s, def string) string {
	if s == "" {
		return def
	}
	return s
}
