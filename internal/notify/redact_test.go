package notify

import (
	"errors"
	"net/http"
	"strings"
	"testing"
)

func TestRedactText(t *testing.T) {
	t.Parallel()
	const token = "123456789:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw"
	const hook = "https://oapi.dingtalk.com/robot/send?access_token=0f4c2d9e8b7a61524c3b2a1908f7e6d5"
	tests := []struct {
		name    string
		in      string
		secrets []string
		want    string
	}{
		{name: "whole", in: "POST /bot" + token + "/sendMessage", secrets: []string{token},
			want: "POST /bot<secret>/sendMessage"},
		{name: "head at someone else's cut", in: "POST /bot123456789:AAHdq…", secrets: []string{token},
			want: "POST /bot<secret>…"},
		{name: "tail", in: "…vGWJxfSeofSAs0K5PALDsaw/sendMessage", secrets: []string{token},
			want: "…<secret>/sendMessage"},
		{name: "a piece in the middle", in: "x=CH1vGWJxfSeo y", secrets: []string{token},
			want: "x=<secret> y"},
		{name: "pieces shorter than 8 bytes stay", in: "/bot1234567", secrets: []string{token},
			want: "/bot1234567"},
		{name: "a URL's words and host stay", in: "see https://oapi.dingtalk.com/robot/send: missing access_token",
			secrets: []string{hook}, want: "see https://oapi.dingtalk.com/robot/send: missing access_token"},
		{name: "a URL's token goes", in: "access_token=0f4c2d9e8b7a… is invalid",
			secrets: []string{hook}, want: "access_token=<secret>… is invalid"},
		{name: "a path's words stay", in: "was the workflow deleted?",
			secrets: []string{"/workflows/1f2e3d4c5b6a/triggers/manual/paths/invoke"}, want: "was the workflow deleted?"},
		{name: "percent-encoded piece", in: "q=abc%2Bdef12%3D",
			secrets: []string{"https://h/x?q=abc%2Bdef12%3Dghi"}, want: "q=<secret>"},
		{name: "several secrets and runs", in: "a 0f4c2d9e8b7a b AAHdqTcvCH1v c",
			secrets: []string{hook, token}, want: "a <secret> b <secret> c"},
		{name: "multi-byte neighbours stay whole", in: "ключ AAHdqTcvCH1vé",
			secrets: []string{token}, want: "ключ <secret>é"},
		{name: "empty and short secrets", in: "id 1 is 12345", secrets: []string{"", "1"}, want: "id <secret> is <secret>2345"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			if got := RedactText(tt.in, tt.secrets...); got != tt.want {
				t.Errorf("RedactText(%q) = %q, want %q", tt.in, got, tt.want)
			}
		})
	}
}

// TestCheckResponseRedactsBeforeTheCut: the token straddles byte 512 of the
// body, where the classifier cuts.
func TestCheckResponseRedactsBeforeTheCut(t *testing.T) {
	t.Parallel()
	const token = "123456789:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw"
	for _, head := range []int{1, 8, 10, 20, len(token) - 1} {
		body := strings.Repeat("x", maxErrorBody-head) + token + "/sendMessage" + strings.Repeat("y", maxErrorBody)
		_, err := CheckResponse(&http.Response{StatusCode: http.StatusBadRequest}, []byte(body), []string{token})
		var herr *HTTPError
		if !errors.As(err, &herr) || herr.StatusCode != http.StatusBadRequest {
			t.Fatalf("head %d: err = %v, want an *HTTPError 400", head, err)
		}
		// Not even the few bytes a cut through the token would keep.
		for n := 4; n <= len(token); n++ {
			if strings.Contains(err.Error(), token[:n]) {
				t.Errorf("head %d: %q keeps the token's first %d bytes", head, err, n)
				break
			}
		}
		if !strings.HasSuffix(err.Error(), "…") || len(herr.Body) > maxErrorBody+len("…") {
			t.Errorf("head %d: body of %d bytes is not cut", head, len(herr.Body))
		}
	}
}

func TestExcerptRedactsThenCuts(t *testing.T) {
	t.Parallel()
	const secret = "Zq8Yp7Xo6Wn5Vm4Ul3Tk"
	got := Excerpt("error for "+secret+" and more", 14, []string{secret})
	if want := "error for <sec…"; got != want {
		t.Errorf("Excerpt = %q, want %q", got, want)
	}
	if got := Excerpt("short", 14, nil); got != "short" {
		t.Errorf("Excerpt = %q, want the text unchanged", got)
	}
}

func TestRedactKeepsTheChain(t *testing.T) {
	t.Parallel()
	herr := &HTTPError{StatusCode: 400, Body: "…AAHdqTcvCH1v"}
	err := Redact(herr, "123456789:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw")
	if err.Error() != "HTTP 400: …<secret>" {
		t.Errorf("Redact = %q", err)
	}
	if !errors.Is(err, herr) {
		t.Error("Redact lost the wrapped error")
	}
	if same := Redact(herr, "nothing-to-find-here"); same != error(herr) {
		t.Error("Redact wrapped an error that holds no secret")
	}
}
