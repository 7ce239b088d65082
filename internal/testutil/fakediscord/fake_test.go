package fakediscord

import (
	"bytes"
	"encoding/json"
	"fmt"
	"image"
	"image/color"
	"image/png"
	"io"
	"mime/multipart"
	"net/http"
	"net/textproto"
	"strings"
	"testing"
)

// testPNG is a small valid PNG.
func testPNG(t *testing.T) []byte {
	t.Helper()
	img := image.NewRGBA(image.Rect(0, 0, 4, 3))
	img.Set(1, 1, color.RGBA{R: 255, A: 255})
	var b bytes.Buffer
	if err := png.Encode(&b, img); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// answer is a decoded answer of the fake.
type answer struct {
	status int
	header http.Header
	body   map[string]any
}

func do(t *testing.T, method, url, contentType string, body []byte) answer {
	t.Helper()
	req, err := http.NewRequest(method, url, bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", contentType)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	a := answer{status: resp.StatusCode, header: resp.Header}
	if len(raw) > 0 {
		if err := json.Unmarshal(raw, &a.body); err != nil {
			t.Fatalf("answer is not JSON: %s", raw)
		}
	}
	return a
}

func postJSON(t *testing.T, url string, payload any) answer {
	t.Helper()
	b, err := json.Marshal(payload)
	if err != nil {
		t.Fatal(err)
	}
	return do(t, http.MethodPost, url, "application/json", b)
}

// multipartBody builds payload_json plus files (name → data, all image/png).
func multipartBody(t *testing.T, payload any, files map[string][]byte) ([]byte, string) {
	t.Helper()
	var buf bytes.Buffer
	w := multipart.NewWriter(&buf)
	if payload != nil {
		js, _ := json.Marshal(payload)
		_ = w.WriteField("payload_json", string(js))
	}
	for i := 0; i < len(files)+5; i++ {
		data, ok := files[fmt.Sprintf("files[%d]", i)]
		if !ok {
			continue
		}
		h := textproto.MIMEHeader{}
		h.Set("Content-Disposition", fmt.Sprintf(`form-data; name="files[%d]"; filename="chart.png"`, i))
		h.Set("Content-Type", "image/png")
		p, _ := w.CreatePart(h)
		_, _ = p.Write(data)
	}
	_ = w.Close()
	return buf.Bytes(), w.FormDataContentType()
}

// formError returns the first "_errors" message at path in a 50035 answer.
func formError(a answer, path string) string {
	node := a.body["errors"]
	for _, k := range strings.Split(path, ".") {
		m, ok := node.(map[string]any)
		if !ok {
			return ""
		}
		node = m[k]
	}
	m, _ := node.(map[string]any)
	errs, _ := m["_errors"].([]any)
	if len(errs) == 0 {
		return ""
	}
	return errs[0].(map[string]any)["message"].(string)
}

func code(a answer) int {
	c, _ := a.body["code"].(float64)
	return int(c)
}

func waitURL(s *Server) string { return s.URL() + "?wait=true" }

func TestPostReturnsMessageObjectOnlyWithWait(t *testing.T) {
	t.Parallel()
	s := New(t, Config{})
	a := postJSON(t, waitURL(s), map[string]any{"content": "hi", "allowed_mentions": map[string]any{"parse": []string{}}})
	if a.status != 200 || a.body["id"] == "" || a.body["channel_id"] != DefaultChannelID || a.body["webhook_id"] != DefaultID {
		t.Fatalf("%d %v", a.status, a.body)
	}
	if a.header.Get("X-RateLimit-Limit") != "5" || a.header.Get("X-RateLimit-Remaining") != "4" {
		t.Fatalf("rate-limit headers: %v", a.header)
	}
	if b := postJSON(t, s.URL(), map[string]any{"content": "no wait"}); b.status != http.StatusNoContent || b.body != nil {
		t.Fatalf("without wait: %d %v", b.status, b.body)
	}
	msgs := s.Messages()
	if len(msgs) != 2 || msgs[0].Content != "hi" || msgs[0].AllowedMentions == nil || s.Stats().NoWait != 1 {
		t.Fatalf("%+v %+v", msgs, s.Stats())
	}
}

func TestUnknownWebhookAndBadToken(t *testing.T) {
	t.Parallel()
	s := New(t, Config{})
	base := strings.TrimSuffix(s.URL(), "/"+DefaultToken)
	if a := postJSON(t, base+"/wrongtoken?wait=true", map[string]any{"content": "x"}); a.status != 401 || code(a) != 50027 {
		t.Fatalf("bad token: %d %v", a.status, a.body)
	}
	if a := postJSON(t, s.WebhookURL("42")+"?wait=true", map[string]any{"content": "x"}); a.status != 404 || code(a) != 10015 {
		t.Fatalf("unknown webhook: %d %v", a.status, a.body)
	}
	if a := do(t, http.MethodGet, s.URL(), "", nil); a.status != 405 {
		t.Fatalf("GET: %d", a.status)
	}
}

func TestEmbedLimits(t *testing.T) {
	t.Parallel()
	long := func(n int) string { return strings.Repeat("a", n) }
	fields := func(n int) []map[string]any {
		var fs []map[string]any
		for i := range n {
			fs = append(fs, map[string]any{"name": fmt.Sprint("f", i), "value": "v"})
		}
		return fs
	}
	embeds := func(n int) []map[string]any {
		var es []map[string]any
		for range n {
			es = append(es, map[string]any{"title": "t"})
		}
		return es
	}
	for _, c := range []struct {
		name    string
		payload map[string]any
		path    string
	}{
		{"title", map[string]any{"embeds": []any{map[string]any{"title": long(257)}}}, "embeds.0.title"},
		{"title in UTF-16 units", map[string]any{"embeds": []any{map[string]any{"title": strings.Repeat("🚀", 129)}}}, "embeds.0.title"},
		{"description", map[string]any{"embeds": []any{map[string]any{"description": long(4097)}}}, "embeds.0.description"},
		{"fields", map[string]any{"embeds": []any{map[string]any{"fields": fields(26)}}}, "embeds.0.fields"},
		{"field value", map[string]any{"embeds": []any{map[string]any{"fields": []any{map[string]any{"name": "n", "value": long(1025)}}}}}, "embeds.0.fields.0.value"},
		{"blank field value", map[string]any{"embeds": []any{map[string]any{"fields": []any{map[string]any{"name": "n", "value": " "}}}}}, "embeds.0.fields.0.value"},
		{"footer", map[string]any{"embeds": []any{map[string]any{"footer": map[string]any{"text": long(2049)}}}}, "embeds.0.footer.text"},
		{"total", map[string]any{"embeds": []any{map[string]any{"description": long(3000)}, map[string]any{"description": long(3001)}}}, "embeds"},
		{"embeds", map[string]any{"embeds": embeds(11)}, "embeds"},
		{"content", map[string]any{"content": long(2001)}, "content"},
		{"timestamp", map[string]any{"embeds": []any{map[string]any{"title": "t", "timestamp": "yesterday"}}}, "embeds.0.timestamp"},
		{"url", map[string]any{"embeds": []any{map[string]any{"title": "t", "url": "javascript:alert(1)"}}}, "embeds.0.url"},
		{"color", map[string]any{"embeds": []any{map[string]any{"title": "t", "color": 0x1000000}}}, "embeds.0.color"},
		{"username", map[string]any{"content": "x", "username": "Discord alerts"}, "username"},
		{"missing attachment", map[string]any{"embeds": []any{map[string]any{"image": map[string]any{"url": "attachment://chart.png"}}}}, "embeds.0.image.url"},
	} {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			s := New(t, Config{})
			a := postJSON(t, waitURL(s), c.payload)
			if a.status != 400 || code(a) != 50035 || formError(a, c.path) == "" {
				t.Fatalf("%d %v", a.status, a.body)
			}
			if len(s.Messages()) != 0 {
				t.Fatal("a refused message was recorded")
			}
		})
	}
	t.Run("at the limits", func(t *testing.T) {
		t.Parallel()
		s := New(t, Config{})
		p := map[string]any{"content": long(2000), "embeds": []any{
			map[string]any{"title": long(256), "description": long(4096), "footer": map[string]any{"text": long(100)}},
			map[string]any{"description": long(6000 - 256 - 4096 - 100)},
		}}
		if a := postJSON(t, waitURL(s), p); a.status != 200 {
			t.Fatalf("%d %v", a.status, a.body)
		}
	})
	t.Run("empty", func(t *testing.T) {
		t.Parallel()
		s := New(t, Config{})
		if a := postJSON(t, waitURL(s), map[string]any{"content": "  "}); a.status != 400 || code(a) != 50006 {
			t.Fatalf("%d %v", a.status, a.body)
		}
	})
}

func TestMultipart(t *testing.T) {
	t.Parallel()
	s := New(t, Config{})
	img := testPNG(t)
	payload := map[string]any{"embeds": []any{map[string]any{"title": "t", "image": map[string]any{"url": "attachment://chart.png"}}},
		"attachments": []any{map[string]any{"id": 0, "filename": "chart.png", "description": "a chart"}}}
	body, ct := multipartBody(t, payload, map[string][]byte{"files[0]": img})
	a := do(t, http.MethodPost, waitURL(s), ct, body)
	if a.status != 200 {
		t.Fatalf("%d %v", a.status, a.body)
	}
	embed := a.body["embeds"].([]any)[0].(map[string]any)
	if u := embed["image"].(map[string]any)["url"].(string); !strings.HasPrefix(u, "https://cdn.discordapp.com/attachments/") {
		t.Fatalf("image url in the answer: %s", u)
	}
	m := s.Messages()[0]
	if !m.Multipart || !bytes.Equal(m.Image(), img) || m.Attachments[0].Description != "a chart" || m.Attachments[0].Width != 4 {
		t.Fatalf("%+v", m)
	}

	for _, c := range []struct {
		name    string
		payload any
		files   map[string][]byte
		path    string
	}{
		{"no payload_json", nil, map[string][]byte{"files[0]": img}, "payload_json"},
		{"not a PNG", payload, map[string][]byte{"files[0]": []byte("GIF89a...")}, "files[0]"},
		{"attachment without file", payload, nil, "attachments.0.id"},
	} {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			body, ct := multipartBody(t, c.payload, c.files)
			a := do(t, http.MethodPost, waitURL(s), ct, body)
			if a.status != 400 || formError(a, c.path) == "" {
				t.Fatalf("%d %v", a.status, a.body)
			}
		})
	}
	if a := do(t, http.MethodPost, waitURL(s), "text/plain", []byte("hi")); a.status != 400 {
		t.Fatalf("text/plain: %d", a.status)
	}
}

func TestEdit(t *testing.T) {
	t.Parallel()
	s := New(t, Config{Webhooks: []Webhook{{ID: "1", Token: "tok1"}, {ID: "2", Token: "tok2"}}})
	img := testPNG(t)
	payload := map[string]any{"embeds": []any{map[string]any{"title": "firing", "image": map[string]any{"url": "attachment://chart.png"}}},
		"attachments": []any{map[string]any{"id": 0, "filename": "chart.png"}}}
	body, ct := multipartBody(t, payload, map[string][]byte{"files[0]": img})
	a := do(t, http.MethodPost, s.WebhookURL("1")+"?wait=true", ct, body)
	id := a.body["id"].(string)
	oldAtt := s.Messages()[0].Attachments[0].ID

	if a := postJSON(t, s.WebhookURL("1")+"/messages/999", nil); a.status != 405 {
		t.Fatalf("POST to a message: %d", a.status)
	}
	patch := func(hook, msg string, payload any) answer {
		b, _ := json.Marshal(payload)
		return do(t, http.MethodPatch, s.WebhookURL(hook)+"/messages/"+msg, "application/json", b)
	}
	if a := patch("1", "999", map[string]any{"content": "x"}); a.status != 404 || code(a) != 10008 {
		t.Fatalf("unknown message: %d %v", a.status, a.body)
	}
	if a := patch("2", id, map[string]any{"content": "x"}); a.status != 404 || code(a) != 10008 {
		t.Fatalf("another webhook's message: %d %v", a.status, a.body)
	}
	// Without attachments the chart stays.
	if a := patch("1", id, map[string]any{"embeds": []any{map[string]any{"title": "resolved"}}}); a.status != 200 {
		t.Fatalf("%d %v", a.status, a.body)
	}
	m, _ := s.Message(id)
	if m.Embeds[0].Title != "resolved" || len(m.Attachments) != 1 || len(m.Edits) != 1 {
		t.Fatalf("%+v", m)
	}
	// With attachments listing only the new file, the old one goes.
	newImg := testPNG(t)
	newImg = append([]byte(nil), newImg...)
	body, ct = multipartBody(t, payload, map[string][]byte{"files[0]": newImg})
	if a := do(t, http.MethodPatch, s.WebhookURL("1")+"/messages/"+id, ct, body); a.status != 200 {
		t.Fatalf("%d %v", a.status, a.body)
	}
	m, _ = s.Message(id)
	if len(m.Attachments) != 1 || m.Attachments[0].ID == oldAtt || m.Image() == nil || len(m.Edits) != 2 {
		t.Fatalf("%+v", m)
	}
	// A new file left out of attachments is refused.
	body, ct = multipartBody(t, map[string]any{"attachments": []any{}}, map[string][]byte{"files[0]": img})
	if a := do(t, http.MethodPatch, s.WebhookURL("1")+"/messages/"+id, ct, body); a.status != 400 || formError(a, "files[0]") == "" {
		t.Fatalf("%d %v", a.status, a.body)
	}
}
