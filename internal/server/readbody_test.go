package server

import (
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

// TestReadBody checks that the Content-Length hint never changes what is
// read: a wrong or missing hint reads the body whole, and the size limit
// still holds.
func TestReadBody(t *testing.T) {
	t.Parallel()
	body := strings.Repeat("x", 10000)
	for _, tt := range []struct {
		name  string
		hint  int64
		limit int64
		err   bool
	}{
		{"exact", 10000, 1 << 20, false},
		{"unknown", -1, 1 << 20, false},
		{"too small", 100, 1 << 20, false},
		{"too large", 50000, 1 << 20, false},
		{"over the limit", 10000, 5000, true},
	} {
		t.Run(tt.name, func(t *testing.T) {
			w := httptest.NewRecorder()
			got, err := readBody(http.MaxBytesReader(w, nopCloser{strings.NewReader(body)}, tt.limit), min(tt.hint, tt.limit))
			var mbe *http.MaxBytesError
			if tt.err {
				if !errors.As(err, &mbe) {
					t.Fatalf("err = %v, want *http.MaxBytesError", err)
				}
				return
			}
			if err != nil || string(got) != body {
				t.Fatalf("read %d bytes, err %v", len(got), err)
			}
		})
	}
}

type nopCloser struct{ *strings.Reader }

func (nopCloser) Close() error { return nil }
