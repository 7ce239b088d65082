package webhook_test

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"time"

	"github.com/heraldhq/herald/internal/notify/webhook"
)

// A receiver checks the signature on the raw body before decoding it, and
// drops repeats by Idempotency-Key. (The docs show the same handler
// without Herald's package: copy webhook.Sign's three lines.)
func ExampleVerify() {
	secret := []byte("the hmac_secret of the channel")
	seen := map[string]bool{}
	handler := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, err := io.ReadAll(io.LimitReader(r.Body, 10<<20))
		if err != nil {
			http.Error(w, "cannot read", http.StatusBadRequest)
			return
		}
		err = webhook.Verify(secret, r.Header.Get("X-Herald-Signature"), r.Header.Get("X-Herald-Timestamp"),
			body, time.Now(), 5*time.Minute)
		if err != nil {
			http.Error(w, err.Error(), http.StatusUnauthorized) // permanent for Herald: not retried
			return
		}
		if key := r.Header.Get("Idempotency-Key"); key != "" {
			if seen[key] {
				w.WriteHeader(http.StatusOK) // already handled: say so, or Herald retries
				return
			}
			seen[key] = true
		}
		var ev webhook.Event
		if err := json.Unmarshal(body, &ev); err != nil {
			http.Error(w, "bad JSON", http.StatusBadRequest)
			return
		}
		fmt.Printf("%s v%s: %d alert(s), first %s\n", ev.Kind, ev.Version, len(ev.Alerts), ev.Alerts[0].Labels["alertname"])
		w.WriteHeader(http.StatusAccepted)
	})

	// What Herald sends, signed the way Herald signs it.
	body := `{"version":"1","kind":"firing","alerts":[{"labels":{"alertname":"HostDown"}}]}`
	ts := fmt.Sprint(time.Now().Unix())
	req := httptest.NewRequest(http.MethodPost, "/alerts", strings.NewReader(body))
	req.Header.Set("X-Herald-Timestamp", ts)
	req.Header.Set("X-Herald-Signature", webhook.Sign(secret, ts, []byte(body)))
	req.Header.Set("Idempotency-Key", "b452131657f3bca1:2026-11-21T04:09:41.067Z:firing")
	for range 2 { // the second is a repeat
		w := httptest.NewRecorder()
		handler.ServeHTTP(w, req.Clone(req.Context()))
		req.Body = io.NopCloser(strings.NewReader(body))
		fmt.Println(w.Code)
	}
	// Output:
	// firing v1: 1 alert(s), first HostDown
	// 202
	// 200
}
