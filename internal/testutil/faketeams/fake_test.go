package faketeams

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

// validCard is a card with every element and action kind Herald uses.
const validCard = `{"type":"message","attachments":[{"contentType":"application/vnd.microsoft.card.adaptive","contentUrl":null,
"content":{"$schema":"http://adaptivecards.io/schemas/adaptive-card.json","type":"AdaptiveCard","version":"1.4",
"body":[{"type":"Container","style":"attention","bleed":true,"items":[{"type":"TextBlock","text":"🔥 Disk \\*full\\*","wrap":true,"weight":"Bolder","size":"Medium"}]},
{"type":"TextBlock","text":"free 3%","wrap":true,"spacing":"Small"},
{"type":"FactSet","facts":[{"title":"instance","value":"db\\_1:9100"}]},
{"type":"Image","url":"https://herald.example/images/abc.png?sig=x","altText":"chart","size":"Stretch"}],
"actions":[{"type":"Action.OpenUrl","title":"Source","url":"http://prometheus:9090/graph"}],
"msteams":{"width":"Full"}}}]}`

// post sends body to the fake with the headers Herald sends.
func post(t *testing.T, url, contentType, body string) (*http.Response, string) {
	t.Helper()
	req, err := http.NewRequest(http.MethodPost, url, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp, string(b)
}

func unlimited(t *testing.T) *Server { return New(t, Config{Limits: Limits{Unlimited: true}}) }

func TestAcceptsAValidCard(t *testing.T) {
	t.Parallel()
	s := unlimited(t)
	resp, body := post(t, s.URL(), "application/json", validCard)
	if resp.StatusCode != http.StatusAccepted || body != "" {
		t.Fatalf("answer %d %q, want 202 and no body", resp.StatusCode, body)
	}
	msgs := s.Messages()
	if len(msgs) != 1 {
		t.Fatalf("%d messages", len(msgs))
	}
	m := msgs[0]
	if resp.Header.Get("x-ms-workflow-run-id") != m.RunID || m.RunID == "" {
		t.Errorf("run id header %q, recorded %q", resp.Header.Get("x-ms-workflow-run-id"), m.RunID)
	}
	if m.Version != "1.4" || m.Style != "attention" {
		t.Errorf("version %q style %q", m.Version, m.Style)
	}
	if m.Plain != "🔥 Disk *full*\nfree 3%" || m.Texts[0] != `🔥 Disk \*full\*` {
		t.Errorf("texts %q, plain %q", m.Texts, m.Plain)
	}
	if len(m.Facts) != 1 || m.Facts[0] != (Fact{"instance", `db\_1:9100`}) {
		t.Errorf("facts %+v", m.Facts)
	}
	if len(m.Images) != 1 || m.Images[0].AltText != "chart" || len(m.Actions) != 1 || m.Actions[0].Title != "Source" {
		t.Errorf("images %+v actions %+v", m.Images, m.Actions)
	}
}

func TestRefusesBadCards(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct{ name, from, to, want string }{
		{"not a message", `"type":"message"`, `"type":"msg"`, `$.type must be "message"`},
		{"old version", `"version":"1.4"`, `"version":"1.2"`, "version 1.2 is not supported"},
		{"future version", `"version":"1.4"`, `"version":"1.6"`, "version 1.6 is not supported"},
		{"no version", `"version":"1.4",`, ``, "version must be"},
		{"content url", `"contentUrl":null`, `"contentUrl":"http://x"`, "contentUrl must be present and null"},
		{"no content url", `"contentUrl":null,`, ``, "contentUrl must be present and null"},
		{"content type", `"contentType":"application/vnd.microsoft.card.adaptive"`, `"contentType":"application/json"`, "contentType must be"},
		{"card type", `"type":"AdaptiveCard"`, `"type":"MessageCard"`, `type must be "AdaptiveCard"`},
		{"unknown element", `"type":"FactSet"`, `"type":"Table"`, `"Table" is not an Adaptive Card element type`},
		{"column outside a set", `"type":"FactSet","facts":[{"title":"instance","value":"db\\_1:9100"}]`, `"type":"Column","items":[]`, `"Column" is not`},
		{"text missing", `"text":"free 3%",`, ``, "text is required"},
		{"empty text", `"text":"free 3%"`, `"text":" "`, "must be a non-empty string"},
		{"text not a string", `"text":"free 3%"`, `"text":3`, "must be a non-empty string"},
		{"image without url", `"url":"https://herald.example/images/abc.png?sig=x",`, ``, "url is required for a Image"},
		{"relative image", `"url":"https://herald.example/images/abc.png?sig=x"`, `"url":"/images/abc.png"`, "absolute http or https URL"},
		{"fact without value", `"title":"instance","value":"db\\_1:9100"`, `"title":"instance"`, "string title and a string value"},
		{"fact value not a string", `"value":"db\\_1:9100"`, `"value":9100`, "string title and a string value"},
		{"no facts", `"facts":[{"title":"instance","value":"db\\_1:9100"}]`, `"facts":[]`, "must not be empty"},
		{"relative button", `"url":"http://prometheus:9090/graph"`, `"url":"graph?g0.expr=up"`, "absolute http or https URL"},
		{"script button", `"url":"http://prometheus:9090/graph"`, `"url":"javascript:alert(1)"`, "absolute http or https URL"},
		{"button without url", `,"url":"http://prometheus:9090/graph"`, ``, "url is required"},
		{"unknown action", `"type":"Action.OpenUrl"`, `"type":"Action.Http"`, "not an Adaptive Card action type"},
		{"typo", `"wrap":true,"spacing":"Small"`, `"wraps":true,"spacing":"Small"`, "wraps is not a property of TextBlock"},
		{"bad enum", `"style":"attention"`, `"style":"red"`, "style must be one of"},
		{"bad bool", `"bleed":true`, `"bleed":"yes"`, "bleed must be a boolean"},
		{"width", `"width":"Full"`, `"width":"wide"`, `width must be "Full"`},
		{"empty body", `"body":[{"type":"Container"`, `"body":[],"fallbackText":[{"type":"Container"`, "body must be a non-empty array"},
		{"no attachments", validCard, `{"type":"message","attachments":[]}`, "attachments must be a non-empty array"},
		{"extra envelope field", `"type":"message",`, `"type":"message","text":"hi",`, "$.text is not a property Teams knows"},
		{"not JSON", `"type":"message",`, `"type":"message"`, "not valid JSON"},
		{"not UTF-8", `free 3%`, "free \xff%", "not valid UTF-8"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if !strings.Contains(validCard, tc.from) {
				t.Fatalf("the valid card has no %q", tc.from)
			}
			s := unlimited(t)
			resp, body := post(t, s.URL(), "application/json", strings.Replace(validCard, tc.from, tc.to, 1))
			var ans struct {
				Error struct{ Code, Message string }
			}
			_ = json.Unmarshal([]byte(body), &ans)
			if resp.StatusCode != http.StatusBadRequest || !strings.Contains(ans.Error.Message, tc.want) || ans.Error.Code != "InvalidRequestContent" {
				t.Errorf("answer %d %s, want 400 with %q", resp.StatusCode, body, tc.want)
			}
			if len(s.Messages()) != 0 || s.Stats().Rejected != 1 {
				t.Errorf("a refused card was recorded: %+v", s.Stats())
			}
		})
	}
}

func TestRefusesBadRequests(t *testing.T) {
	t.Parallel()
	s := unlimited(t)
	for _, tc := range []struct {
		name, url, method, contentType string
		want                           int
	}{
		{"form encoded", s.URL(), http.MethodPost, "application/x-www-form-urlencoded", http.StatusBadRequest},
		{"no content type", s.URL(), http.MethodPost, "", http.StatusBadRequest},
		{"charset ok", s.URL(), http.MethodPost, "application/json; charset=utf-8", http.StatusAccepted},
		{"GET", s.URL(), http.MethodGet, "application/json", http.StatusMethodNotAllowed},
		{"wrong sig", strings.Replace(s.URL(), DefaultSig, "forged", 1), http.MethodPost, "application/json", http.StatusUnauthorized},
		{"wrong workflow", strings.Replace(s.URL(), "/workflows/", "/workflows/x", 1), http.MethodPost, "application/json", http.StatusNotFound},
	} {
		t.Run(tc.name, func(t *testing.T) {
			req, _ := http.NewRequest(tc.method, tc.url, strings.NewReader(validCard))
			if tc.contentType != "" {
				req.Header.Set("Content-Type", tc.contentType)
			}
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			if resp.StatusCode != tc.want {
				t.Errorf("answer %d, want %d", resp.StatusCode, tc.want)
			}
		})
	}
}

func TestSizeLimit(t *testing.T) {
	t.Parallel()
	s := unlimited(t)
	pad := func(total int) string {
		base := strings.Replace(validCard, "free 3%", "", 1)
		return strings.Replace(validCard, "free 3%", strings.Repeat("x", total-len(base)), 1)
	}
	if resp, body := post(t, s.URL(), "application/json", pad(DefaultMaxBytes)); resp.StatusCode != http.StatusAccepted {
		t.Fatalf("a post of exactly %d bytes: %d %s", DefaultMaxBytes, resp.StatusCode, body)
	}
	resp, body := post(t, s.URL(), "application/json", pad(DefaultMaxBytes+1))
	if resp.StatusCode != http.StatusRequestEntityTooLarge || !strings.Contains(body, "RequestEntityTooLarge") {
		t.Fatalf("a post over the limit: %d %s", resp.StatusCode, body)
	}
	if st := s.Stats(); st.TooLarge != 1 || st.Accepted != 1 {
		t.Errorf("stats %+v", st)
	}
}

func TestRateLimit(t *testing.T) {
	t.Parallel()
	var now atomic.Int64 // the rate clock, moved by the test
	s := New(t, Config{Limits: Limits{Windows: []Window{{Requests: 4, Per: 300 * time.Millisecond}}},
		RateNow: func() time.Time { return time.Unix(0, now.Load()) }})
	for i := range 4 {
		if resp, body := post(t, s.URL(), "application/json", validCard); resp.StatusCode != http.StatusAccepted {
			t.Fatalf("post %d: %d %s", i, resp.StatusCode, body)
		}
	}
	resp, body := post(t, s.URL(), "application/json", validCard)
	if resp.StatusCode != http.StatusTooManyRequests || resp.Header.Get("Retry-After") != "1" || !strings.Contains(body, "TooManyRequests") {
		t.Fatalf("fifth post: %d Retry-After %q %s", resp.StatusCode, resp.Header.Get("Retry-After"), body)
	}
	now.Add(int64(300 * time.Millisecond))
	if resp, _ := post(t, s.URL(), "application/json", validCard); resp.StatusCode != http.StatusAccepted {
		t.Fatalf("after the window: %d", resp.StatusCode)
	}
	if st := s.Stats(); st.TooManyRequests != 1 || st.Accepted != 5 {
		t.Errorf("stats %+v", st)
	}
}

func TestDefaultRateLimitIsTeams(t *testing.T) {
	t.Parallel()
	l := newLimiter(Limits{})
	now := time.Now()
	for i := range 4 {
		if w := l.allow(now.Add(time.Duration(i) * time.Millisecond)); w != 0 {
			t.Fatalf("request %d waits %v", i, w)
		}
	}
	if w := l.allow(now.Add(10 * time.Millisecond)); w <= 0 || w > time.Second {
		t.Fatalf("fifth request in a second waits %v", w)
	}
	// 60 in 30 s: spread 56 more over 29 s, one every ~0.52 s.
	for i := range 56 {
		if w := l.allow(now.Add(time.Second + time.Duration(i)*518*time.Millisecond)); w != 0 {
			t.Fatalf("request %d waits %v", 4+i, w)
		}
	}
	if w := l.allow(now.Add(29900 * time.Millisecond)); w <= 0 {
		t.Fatal("the 61st request within 30 s was admitted")
	}
}

func TestLegacyAnswers(t *testing.T) {
	t.Parallel()
	s := New(t, Config{Legacy: true, Limits: Limits{Unlimited: true}})
	resp, body := post(t, s.URL(), "application/json", validCard)
	if resp.StatusCode != http.StatusOK || body != "1" {
		t.Fatalf("success: %d %q", resp.StatusCode, body)
	}
	resp, body = post(t, s.URL(), "application/json", strings.Replace(validCard, `"version":"1.4"`, `"version":"1.0"`, 1))
	if resp.StatusCode != http.StatusOK || !strings.Contains(body, "Microsoft Teams endpoint returned HTTP error 400") {
		t.Fatalf("failure: %d %q", resp.StatusCode, body)
	}
}

func TestFaults(t *testing.T) {
	t.Parallel()
	s := unlimited(t)
	s.FailNext(1, FaultInternal)
	s.FailNext(1, FaultBadGateway)
	s.FailNext(1, FaultThrottle)
	for _, want := range []int{500, 502, 429} {
		resp, _ := post(t, s.URL(), "application/json", validCard)
		if resp.StatusCode != want {
			t.Errorf("answer %d, want %d", resp.StatusCode, want)
		}
		if want == 429 && resp.Header.Get("Retry-After") != "7" {
			t.Errorf("throttle Retry-After %q", resp.Header.Get("Retry-After"))
		}
	}
	s.FailNext(1, FaultReset)
	if _, err := http.Post(s.URL(), "application/json", strings.NewReader(validCard)); err == nil {
		t.Error("a reset connection gave an answer")
	}
	s.FailNext(1, FaultHang)
	ctx, cancel := context.WithTimeout(context.Background(), 200*time.Millisecond)
	defer cancel()
	req, _ := http.NewRequestWithContext(ctx, http.MethodPost, s.URL(), strings.NewReader(validCard))
	req.Header.Set("Content-Type", "application/json")
	if _, err := http.DefaultClient.Do(req); !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("a hang ended with %v", err)
	}
	if st := s.Stats(); st.Injected != 5 || st.TooManyRequests != 0 || st.Accepted != 0 {
		t.Errorf("stats %+v", st)
	}
	s.SetLatency(50 * time.Millisecond)
	start := time.Now()
	if resp, _ := post(t, s.URL(), "application/json", validCard); resp.StatusCode != 202 || time.Since(start) < 50*time.Millisecond {
		t.Errorf("latency: %d after %v", resp.StatusCode, time.Since(start))
	}
	s.ClearFaults()
}

func TestUnescape(t *testing.T) {
	t.Parallel()
	for in, want := range map[string]string{
		`\*a\* \_b\_ \[c\](d) a\\b`: `*a* _b_ [c](d) a\b`,
		`C:\path 1\. x`:             `C:\path 1. x`,
		`trailing\`:                 `trailing\`,
	} {
		if got := Unescape(in); got != want {
			t.Errorf("Unescape(%q) = %q, want %q", in, got, want)
		}
	}
}
