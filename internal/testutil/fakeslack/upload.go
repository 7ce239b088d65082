package fakeslack

import (
	"encoding/json"
	"fmt"
	"io"
	"mime"
	"mime/multipart"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// uploadPrefix is the path of upload URLs, as on files.slack.com.
const uploadPrefix = "/upload/v1/"

// uploadCall names the upload URL in Stats.Calls and failure plans.
const uploadCall = "upload"

// maxUploadAltText is files.getUploadURLExternal's limit on alt_txt.
const maxUploadAltText = 1000

// getUploadURL is files.getUploadURLExternal: it announces a file by name
// and exact length and returns where to send the bytes. It takes form
// arguments only, as its documentation lists.
func (s *Server) getUploadURL(p *params, now time.Time) (map[string]any, *apiError) {
	if p.isJSON {
		return nil, fail("invalid_arguments", "[ERROR] this method takes application/x-www-form-urlencoded arguments")
	}
	name := p.str("filename")
	length, err := strconv.Atoi(p.str("length"))
	switch {
	case name == "" || p.str("length") == "":
		return nil, fail("invalid_arguments", "[ERROR] missing required field: filename or length")
	case err != nil || length <= 0:
		return nil, fail("missing_argument")
	case units(p.str("alt_txt")) > maxUploadAltText:
		return nil, fail("alt_txt_too_large")
	}
	if wait := s.limits.allowTier("files.getUploadURLExternal", tier4, now); wait > 0 {
		return nil, tooFast(wait)
	}
	s.seq++
	f := &File{ID: fmt.Sprintf("F%08d", s.seq), Name: name, AltText: p.str("alt_txt"), length: length}
	path := uploadPrefix + randomHex(16)
	s.uploads[path] = f
	s.files[f.ID] = f
	return map[string]any{"upload_url": s.srv.URL + path, "file_id": f.ID}, nil
}

// serveUpload takes the bytes of an announced file, raw or as the file
// of a multipart form, and refuses any length but the one announced.
func (s *Server) serveUpload(w http.ResponseWriter, r *http.Request) {
	if f, _ := s.plannedFailure(uploadCall); f != nil {
		s.faults.Inject(w, r, f)
		return
	}
	s.mu.Lock()
	f, ok := s.uploads[r.URL.Path]
	s.mu.Unlock()
	if !ok || r.Method != http.MethodPost {
		s.countUpload(false)
		http.Error(w, "not found", http.StatusNotFound)
		return
	}
	data, err := readUpload(r)
	if err != nil {
		s.countUpload(false)
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	if len(data) != f.length {
		s.countUpload(false)
		http.Error(w, fmt.Sprintf("length mismatch: announced %d bytes, got %d", f.length, len(data)), http.StatusBadRequest)
		return
	}
	s.mu.Lock()
	f.Bytes, f.uploaded = data, true
	delete(s.uploads, r.URL.Path)
	s.mu.Unlock()
	s.countUpload(true)
	_, _ = fmt.Fprintf(w, "OK - %d", len(data))
}

// readUpload reads the bytes of an upload.
func readUpload(r *http.Request) ([]byte, error) {
	body := io.LimitReader(r.Body, maxBody)
	mt, mp, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if !strings.HasPrefix(mt, "multipart/") {
		return io.ReadAll(body)
	}
	mr := multipart.NewReader(body, mp["boundary"])
	for {
		part, err := mr.NextPart()
		if err != nil {
			return nil, fmt.Errorf("multipart upload without a file: %w", err)
		}
		if part.FileName() != "" {
			return io.ReadAll(part)
		}
	}
}

func (s *Server) countUpload(ok bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.stats.Calls[uploadCall]++
	if ok {
		s.stats.OK++
	} else {
		s.stats.Errors++
	}
}

// completeUpload is files.completeUploadExternal: it shares uploaded files
// in a channel, in a thread when thread_ts is given.
func (s *Server) completeUpload(p *params, now time.Time) (map[string]any, *apiError) {
	raw, ok := p.raw("files")
	var list []struct {
		ID    string `json:"id"`
		Title string `json:"title"`
	}
	if !ok || json.Unmarshal(raw, &list) != nil || len(list) == 0 {
		return nil, fail("invalid_arguments", "[ERROR] files must be a non-empty array of {id, title}")
	}
	for _, it := range list {
		if f, ok := s.files[it.ID]; !ok || !f.uploaded || f.Shared {
			return nil, fail("file_not_found")
		}
	}
	ref, thread := p.str("channel_id"), p.str("thread_ts")
	var c *Channel
	if ref != "" {
		if _, ok := s.channels[ref]; !ok {
			return nil, fail("channel_not_found") // an id, not a name
		}
		var aerr *apiError
		if c, aerr = s.channel(ref); aerr != nil {
			return nil, aerr
		}
		if parent, ok := s.byTS[c.ID+"/"+thread]; thread != "" && (!ok || parent.ThreadTS != "") {
			return nil, fail("thread_not_found")
		}
	} else if thread != "" {
		return nil, fail("invalid_arguments", "[ERROR] thread_ts needs channel_id")
	}
	if wait := s.limits.allowTier("files.completeUploadExternal", tier4, now); wait > 0 {
		return nil, tooFast(wait)
	}
	if c != nil {
		if wait := s.limits.allow(channelKey(c.ID), now); wait > 0 {
			return nil, tooFast(wait)
		}
	}
	var out []map[string]any
	for _, it := range list {
		f := s.files[it.ID]
		f.Title, f.Shared, f.ThreadTS, f.Date = it.Title, true, thread, now
		if c != nil {
			f.Channel = c.ID
		}
		s.shared.Add(f)
		out = append(out, map[string]any{"id": f.ID, "title": f.Title, "name": f.Name})
	}
	return map[string]any{"files": out}, nil
}
