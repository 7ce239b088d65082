package fakewecom

import (
	"bytes"
	"crypto/md5"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"image"
	"image/jpeg"
	"image/png"
	"io"
	"mime"
	"net/http"
	"regexp"
	"strings"
	"unicode/utf8"
)

// maxBody bounds a request: a 2 MB image is 2.7 MB of base64.
const maxBody = 4 << 20

// request is a webhook body. Only the field msgtype names may be set, and
// unknown fields are refused (mentioned_list inside markdown, say, which
// WeCom would silently ignore).
type request struct {
	MsgType  string    `json:"msgtype"`
	Text     *text     `json:"text"`
	Markdown *markdown `json:"markdown"`
	Image    *imageMsg `json:"image"`
}

type text struct {
	Content             *string  `json:"content"`
	MentionedList       []string `json:"mentioned_list"`
	MentionedMobileList []string `json:"mentioned_mobile_list"`
}

type markdown struct {
	Content *string `json:"content"`
}

type imageMsg struct {
	Base64 string `json:"base64"`
	MD5    string `json:"md5"`
}

var (
	// userIDPattern: "只能由数字、字母和“_-@.”四种字符组成，且第一个字符必须是
	// 数字或字母", 1 to 64 bytes (https://developer.work.weixin.qq.com/document/path/90195).
	userIDPattern = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9_.@-]{0,63}$`)
	mobilePattern = regexp.MustCompile(`^\+?[0-9][0-9-]{4,23}$`)
	md5Pattern    = regexp.MustCompile(`^[0-9a-f]{32}$`)
	fontTag       = regexp.MustCompile(`<font\s+color="([^"]*)">|</font>`)
	fontColors    = map[string]bool{"info": true, "comment": true, "warning": true}
)

// readMessage decodes and checks one webhook body.
func readMessage(r *http.Request) (Message, *apiError) {
	if ct, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type")); ct != "application/json" {
		return Message{}, errorf(40058, "invalid Request Parameter: Content-Type %q, want application/json", ct)
	}
	body, err := io.ReadAll(io.LimitReader(r.Body, maxBody+1))
	if err != nil || len(body) > maxBody {
		return Message{}, errorf(40058, "request body too large or unreadable")
	}
	if !utf8.Valid(body) {
		return Message{}, errorf(40033, "invalid charset. please check your request")
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.DisallowUnknownFields()
	var req request
	if err := dec.Decode(&req); err != nil {
		return Message{}, errorf(40058, "Warning: wrong json format. %v", err)
	}
	set := map[string]bool{"text": req.Text != nil, "markdown": req.Markdown != nil, "image": req.Image != nil}
	if _, ok := set[req.MsgType]; !ok {
		return Message{}, errorf(40008, "invalid message type %q", req.MsgType)
	}
	for k, v := range set {
		if v != (k == req.MsgType) {
			return Message{}, errorf(40058, "invalid Request Parameter: msgtype %s with field %s", req.MsgType, k)
		}
	}
	switch req.MsgType {
	case "text":
		return checkText(req.Text)
	case "markdown":
		return checkMarkdown(req.Markdown)
	default:
		return checkImage(req.Image)
	}
}

// checkContent checks a text or markdown content. U+FFFD is refused too:
// encoding/json writes a cut UTF-8 sequence as \ufffd, so that is how a cut
// shows in a request (WeCom would show "�").
func checkContent(field string, c *string, limit int) *apiError {
	switch {
	case c == nil || strings.TrimSpace(*c) == "":
		return errorf(44004, "empty content: %s.content", field)
	case len(*c) > limit:
		return errorf(40058, "%s.content exceed max length %d. invalid Request Parameter", field, limit)
	case !utf8.ValidString(*c) || strings.ContainsRune(*c, utf8.RuneError):
		return errorf(40033, "invalid charset in %s.content", field)
	}
	return nil
}

func checkText(t *text) (Message, *apiError) {
	if aerr := checkContent("text", t.Content, MaxTextBytes); aerr != nil {
		return Message{}, aerr
	}
	for _, id := range t.MentionedList {
		if id != "@all" && !userIDPattern.MatchString(id) {
			return Message{}, errorf(40058, "invalid Request Parameter: mentioned_list entry %q", id)
		}
	}
	for _, mob := range t.MentionedMobileList {
		if mob != "@all" && !mobilePattern.MatchString(mob) {
			return Message{}, errorf(40058, "invalid Request Parameter: mentioned_mobile_list entry %q", mob)
		}
	}
	return Message{Type: "text", Content: *t.Content, MentionedList: t.MentionedList,
		MentionedMobileList: t.MentionedMobileList}, nil
}

func checkMarkdown(m *markdown) (Message, *apiError) {
	if aerr := checkContent("markdown", m.Content, MaxMarkdownBytes); aerr != nil {
		return Message{}, aerr
	}
	depth := 0
	for _, t := range fontTag.FindAllStringSubmatch(*m.Content, -1) {
		if t[0] == "</font>" {
			depth--
		} else {
			depth++
			if !fontColors[t[1]] {
				return Message{}, errorf(40058, "fake: font color %q is not info, comment or warning", t[1])
			}
		}
		if depth < 0 {
			break
		}
	}
	if depth != 0 || strings.Count(*m.Content, "<font") != strings.Count(*m.Content, "</font>") {
		return Message{}, errorf(40058, "fake: unbalanced <font> tags (WeCom would show them as text)")
	}
	return Message{Type: "markdown", Content: *m.Content}, nil
}

func checkImage(img *imageMsg) (Message, *apiError) {
	raw, err := base64.StdEncoding.DecodeString(img.Base64)
	switch {
	case err != nil:
		return Message{}, errorf(40058, "invalid Request Parameter: image.base64 does not decode: %v", err)
	case len(raw) == 0:
		return Message{}, errorf(40009, "invalid image size 0")
	case len(raw) > MaxImageBytes:
		return Message{}, errorf(40009, "invalid image size %d, over %d", len(raw), MaxImageBytes)
	case !md5Pattern.MatchString(img.MD5):
		return Message{}, errorf(40058, "invalid Request Parameter: image.md5 %q is not a lowercase hex md5", img.MD5)
	}
	if sum := md5.Sum(raw); hex.EncodeToString(sum[:]) != img.MD5 {
		return Message{}, errorf(40058, "invalid Request Parameter: image.md5 does not match the image (md5 of the base64 instead of the raw bytes?)")
	}
	var format string
	var cfg image.Config
	switch {
	case bytes.HasPrefix(raw, []byte("\x89PNG\r\n\x1a\n")):
		format = "png"
		cfg, err = png.DecodeConfig(bytes.NewReader(raw))
	case bytes.HasPrefix(raw, []byte{0xFF, 0xD8, 0xFF}):
		format = "jpeg"
		cfg, err = jpeg.DecodeConfig(bytes.NewReader(raw))
	default:
		return Message{}, errorf(40004, "invalid media type: only JPG and PNG")
	}
	if err != nil || cfg.Width <= 0 || cfg.Height <= 0 {
		return Message{}, errorf(40004, "invalid media type: unreadable %s", format)
	}
	return Message{Type: "image", Image: raw, ImageFormat: format, Width: cfg.Width, Height: cfg.Height}, nil
}
