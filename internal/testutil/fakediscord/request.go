package fakediscord

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"image/png"
	"io"
	"mime"
	"mime/multipart"
	"net/http"
	"regexp"
	"strconv"
)

// Size limits of a request: "The maximum request size when sending a
// message is 25 MiB" (https://discord.com/developers/docs/resources/message#create-message)
// and 10 MiB per file, the upload limit of a server without boosts.
const (
	MaxRequestBytes = 25 << 20
	MaxFileBytes    = 10 << 20
)

// payloadJSON is the JSON body, or the payload_json field, of Execute
// Webhook and Edit Webhook Message.
type payloadJSON struct {
	Content         string           `json:"content"`
	Username        string           `json:"username"`
	AvatarURL       string           `json:"avatar_url"`
	Embeds          []Embed          `json:"embeds"`
	AllowedMentions *AllowedMentions `json:"allowed_mentions"`
	Attachments     []attachmentRef  `json:"attachments"`
}

// attachmentRef is a partial attachment object: the id of a retained
// attachment, or the index n of a new files[n].
type attachmentRef struct {
	ID          json.RawMessage `json:"id"`
	Filename    string          `json:"filename"`
	Description string          `json:"description"`
}

// id returns the reference's id as text (Discord takes numbers and strings).
func (a attachmentRef) id() string {
	var s string
	if json.Unmarshal(a.ID, &s) == nil {
		return s
	}
	var n json.Number
	if json.Unmarshal(a.ID, &n) == nil {
		return n.String()
	}
	return ""
}

// upload is one files[n] part.
type upload struct {
	index       int
	filename    string
	contentType string
	data        []byte
	width       int
	height      int
}

// request is a decoded request body.
type request struct {
	// keys are the top-level keys present: an edit changes only those.
	keys      map[string]json.RawMessage
	payload   payloadJSON
	uploads   map[int]*upload
	multipart bool
}

var filesField = regexp.MustCompile(`^files\[([0-9]+)\]$`)

// readRequest reads a JSON or multipart/form-data body the way Discord
// does, refusing what Discord refuses.
func readRequest(r *http.Request) (*request, *apiError) {
	body, err := io.ReadAll(io.LimitReader(r.Body, MaxRequestBytes+1))
	if err != nil {
		return nil, &apiError{status: http.StatusBadRequest, code: 50109, message: "The request body contains invalid JSON."}
	}
	if len(body) > MaxRequestBytes {
		return nil, tooLarge()
	}
	mt, params, err := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if err != nil {
		mt = ""
	}
	req := &request{uploads: map[int]*upload{}}
	switch mt {
	case "application/json":
		if aerr := req.decode(body); aerr != nil {
			return nil, aerr
		}
	case "multipart/form-data":
		req.multipart = true
		if aerr := req.readMultipart(body, params["boundary"]); aerr != nil {
			return nil, aerr
		}
	default:
		return nil, invalidForm("content_type", "CONTENT_TYPE_INVALID",
			fmt.Sprintf("Expected application/json or multipart/form-data, got %q.", r.Header.Get("Content-Type")))
	}
	return req, nil
}

func tooLarge() *apiError {
	return &apiError{status: http.StatusRequestEntityTooLarge, code: 40005, message: "Request entity too large"}
}

// decode reads the JSON payload.
func (req *request) decode(b []byte) *apiError {
	if json.Unmarshal(b, &req.keys) != nil || json.Unmarshal(b, &req.payload) != nil {
		return &apiError{status: http.StatusBadRequest, code: 50109, message: "The request body contains invalid JSON."}
	}
	return nil
}

// readMultipart reads payload_json and files[n]. The fake is stricter than
// Discord in one way: it wants payload_json (Discord also takes plain form
// fields), since that is the documented way and the one Herald uses.
func (req *request) readMultipart(body []byte, boundary string) *apiError {
	if boundary == "" {
		return invalidForm("content_type", "CONTENT_TYPE_INVALID", "multipart/form-data without a boundary.")
	}
	mr := multipart.NewReader(bytes.NewReader(body), boundary)
	sawPayload := false
	for {
		part, err := mr.NextPart()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return invalidForm("", "MULTIPART_INVALID", "Malformed multipart body: "+err.Error())
		}
		name := part.FormName()
		data, err := io.ReadAll(io.LimitReader(part, MaxFileBytes+1))
		if err != nil {
			return invalidForm(name, "MULTIPART_INVALID", "Malformed part: "+err.Error())
		}
		switch m := filesField.FindStringSubmatch(name); {
		case name == "payload_json":
			if part.FileName() != "" {
				return invalidForm("payload_json", "BASE_TYPE_BAD_TYPE", "payload_json must be a form field, not a file.")
			}
			if aerr := req.decode(data); aerr != nil {
				return aerr
			}
			sawPayload = true
		case m != nil:
			if aerr := req.addUpload(m[1], part, data); aerr != nil {
				return aerr
			}
		default:
			return invalidForm(name, "UNKNOWN_FIELD", fmt.Sprintf("Unexpected form field %q (want payload_json and files[n]).", name))
		}
	}
	if !sawPayload {
		return invalidForm("payload_json", "BASE_TYPE_REQUIRED", "This field is required")
	}
	return nil
}

// addUpload checks and keeps one file. Herald only uploads PNG charts, so
// the fake takes PNG only and checks that it decodes.
func (req *request) addUpload(index string, part *multipart.Part, data []byte) *apiError {
	field := "files[" + index + "]"
	n, err := strconv.Atoi(index)
	if err != nil || n > 9 {
		return invalidForm(field, "BASE_TYPE_MAX_LENGTH", "A message can have at most 10 files.")
	}
	if len(data) > MaxFileBytes {
		return tooLarge()
	}
	if part.FileName() == "" {
		return invalidForm(field, "BASE_TYPE_REQUIRED", "A file part needs a filename.")
	}
	if _, dup := req.uploads[n]; dup {
		return invalidForm(field, "DUPLICATE", "The same files[n] twice.")
	}
	cfg, err := png.DecodeConfig(bytes.NewReader(data))
	if err != nil || part.Header.Get("Content-Type") != "image/png" {
		return invalidForm(field, "FILE_TYPE_INVALID", "Not a PNG image with Content-Type image/png.")
	}
	req.uploads[n] = &upload{index: n, filename: part.FileName(), contentType: "image/png", data: data,
		width: cfg.Width, height: cfg.Height}
	return nil
}
