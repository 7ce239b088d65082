package telegram

import (
	"net/http"
	"testing"
)

func TestCheckEnvelope(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name   string
		status int
		body   string
		retry  bool
		ok     bool
	}{
		{"ok", 200, `{"ok":true,"result":{"message_id":3}}`, false, true},
		{"ok:false inside 200", 200, `{"ok":false,"error_code":400,"description":"Bad Request: x"}`, false, false},
		{"429 inside 200", 200, `{"ok":false,"error_code":429,"description":"Too Many Requests","parameters":{"retry_after":3}}`, true, false},
		{"200 that is not the Bot API", 200, `<html>captive portal</html>`, true, false},
		{"5xx without JSON", 503, `Service Unavailable`, true, false},
		{"4xx without JSON", 404, `404 page not found`, false, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var m Message
			retry, err := check("sendMessage", &http.Response{StatusCode: tt.status, Header: http.Header{}}, []byte(tt.body), &m)
			if retry != tt.retry || (err == nil) != tt.ok {
				t.Errorf("retry=%v err=%v", retry, err)
			}
			if tt.ok && m.MessageID != 3 {
				t.Errorf("result not decoded: %+v", m)
			}
		})
	}
}
