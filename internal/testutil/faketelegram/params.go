package faketelegram

import (
	"encoding/json"
	"fmt"
	"io"
	"mime"
	"net/http"
	"strconv"
	"strings"
)

// maxUpload is the Bot API's limit for uploaded photos (10 MB,
// https://core.telegram.org/bots/api#sendphoto); the request may be a
// little larger because of the other fields.
const maxUpload = 10 << 20

// params are the parameters of one API call. The Bot API takes them as a
// JSON object, a urlencoded form, multipart form data or a query string;
// they all end up here as text (JSON strings unquoted, other JSON values
// as their JSON text, so that objects such as reply_parameters can be
// decoded the same way whichever encoding the client used).
type params struct {
	values map[string]string
	files  map[string][]byte
}

// readParams decodes the request like the Bot API does.
func readParams(r *http.Request) (*params, *apiError) {
	p := &params{values: map[string]string{}, files: map[string][]byte{}}
	for k, v := range r.URL.Query() {
		p.values[k] = v[0]
	}
	ct, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	switch ct {
	case "application/json":
		body, err := io.ReadAll(io.LimitReader(r.Body, maxUpload+1<<20))
		if err != nil {
			return nil, badRequest("can't read request body")
		}
		var obj map[string]json.RawMessage
		if err := json.Unmarshal(body, &obj); err != nil {
			return nil, badRequest("can't parse JSON object")
		}
		for k, raw := range obj {
			var s string
			if json.Unmarshal(raw, &s) == nil {
				p.values[k] = s
			} else {
				p.values[k] = string(raw)
			}
		}
	case "multipart/form-data":
		if err := r.ParseMultipartForm(maxUpload + 1<<20); err != nil {
			return nil, badRequest("can't parse multipart form: " + err.Error())
		}
		for k, v := range r.MultipartForm.Value {
			p.values[k] = v[0]
		}
		for k, fhs := range r.MultipartForm.File {
			f, err := fhs[0].Open()
			if err != nil {
				return nil, badRequest("can't read file " + k)
			}
			b, err := io.ReadAll(f)
			f.Close()
			if err != nil {
				return nil, badRequest("can't read file " + k)
			}
			p.files[k] = b
		}
	case "application/x-www-form-urlencoded":
		if err := r.ParseForm(); err != nil {
			return nil, badRequest("can't parse form")
		}
		for k, v := range r.PostForm {
			p.values[k] = v[0]
		}
	}
	return p, nil
}

// str returns a parameter as text.
func (p *params) str(name string) string { return p.values[name] }

// int64 returns an Integer parameter; absent is 0.
func (p *params) int64(name string) (int64, *apiError) {
	v, ok := p.values[name]
	if !ok || v == "" {
		return 0, nil
	}
	n, err := strconv.ParseInt(v, 10, 64)
	if err != nil {
		return 0, badRequest(fmt.Sprintf("field %q must be of type Integer", name))
	}
	return n, nil
}

// bool returns a Boolean parameter; the API accepts JSON booleans and the
// strings "true"/"false" (and 1/0) of form encodings.
func (p *params) bool(name string) (bool, *apiError) {
	switch strings.ToLower(p.values[name]) {
	case "", "false", "0":
		return false, nil
	case "true", "1":
		return true, nil
	}
	return false, badRequest(fmt.Sprintf("field %q must be of type Boolean", name))
}

// object decodes a JSON-serialized object parameter into v; absent leaves
// v alone and reports false.
func (p *params) object(name string, v any) (bool, *apiError) {
	raw, ok := p.values[name]
	if !ok || raw == "" {
		return false, nil
	}
	if err := json.Unmarshal([]byte(raw), v); err != nil {
		return false, badRequest(fmt.Sprintf("can't parse %s JSON object", name))
	}
	return true, nil
}

// replyParameters is the Bot API's ReplyParameters object.
type replyParameters struct {
	MessageID                int64 `json:"message_id"`
	AllowSendingWithoutReply bool  `json:"allow_sending_without_reply"`
}

// reply returns the message to reply to from reply_parameters or from the
// older reply_to_message_id/allow_sending_without_reply pair.
func (p *params) reply() (replyParameters, *apiError) {
	var rp replyParameters
	if ok, err := p.object("reply_parameters", &rp); ok || err != nil {
		return rp, err
	}
	id, err := p.int64("reply_to_message_id")
	if err != nil {
		return rp, err
	}
	allow, err := p.bool("allow_sending_without_reply")
	return replyParameters{MessageID: id, AllowSendingWithoutReply: allow}, err
}

// linkPreviewDisabled reads link_preview_options.is_disabled or the older
// disable_web_page_preview.
func (p *params) linkPreviewDisabled() (bool, *apiError) {
	var lp struct {
		IsDisabled bool `json:"is_disabled"`
	}
	if ok, err := p.object("link_preview_options", &lp); ok || err != nil {
		return lp.IsDisabled, err
	}
	return p.bool("disable_web_page_preview")
}
