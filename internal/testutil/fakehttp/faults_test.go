package fakehttp

import (
	"context"
	"errors"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"
)

// fake is the smallest fake: it applies its Faults, then answers "ok".
type fake struct {
	srv    *Server
	faults Faults
}

func newFake(t *testing.T) *fake {
	f := &fake{}
	f.srv = NewServer(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if f.faults.Apply(w, r) {
			return
		}
		_, _ = io.WriteString(w, "ok")
	}))
	return f
}

// get answers the status, Content-Type and body of one request, or the
// error of a request that got no answer.
func (f *fake) get(ctx context.Context) (int, string, string, error) {
	req, _ := http.NewRequestWithContext(ctx, http.MethodPost, f.srv.URL, strings.NewReader("payload"))
	resp, err := f.srv.Client().Do(req)
	if err != nil {
		return 0, "", "", err
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, resp.Header.Get("Content-Type"), string(b), nil
}

func TestFaultsInOrder(t *testing.T) {
	f := newFake(t)
	f.faults.FailNext(1, Answer(http.StatusInternalServerError, "application/json", `{"ok":false}`))
	f.faults.FailNext(1, nil) // answers normally, but takes its turn
	f.faults.FailNext(2, BadGateway)
	f.faults.FailNext(1, Answer(http.StatusInternalServerError, "", "Internal Server Error"))
	want := []struct {
		status      int
		contentType string
		body        string
	}{
		{500, "application/json", `{"ok":false}`},
		{200, "text/plain; charset=utf-8", "ok"},
		{502, "text/html", "<html><body><h1>502 Bad Gateway</h1></body></html>"},
		{502, "text/html", "<html><body><h1>502 Bad Gateway</h1></body></html>"},
		{500, "text/plain; charset=utf-8", "Internal Server Error"}, // sniffed
		{200, "text/plain; charset=utf-8", "ok"},
	}
	for i, w := range want {
		status, ct, body, err := f.get(context.Background())
		if err != nil || status != w.status || ct != w.contentType || body != w.body {
			t.Errorf("request %d: %d %q %q %v, want %d %q %q", i, status, ct, body, err, w.status, w.contentType, w.body)
		}
	}
	if req, inj := f.faults.Counts(); req != 6 || inj != 4 {
		t.Errorf("counts %d requests, %d injected; want 6, 4", req, inj)
	}
}

func TestReset(t *testing.T) {
	f := newFake(t)
	f.faults.FailNext(1, Reset)
	if status, _, _, err := f.get(context.Background()); err == nil {
		t.Fatalf("a reset connection answered %d", status)
	}
	if status, _, _, err := f.get(context.Background()); err != nil || status != 200 {
		t.Fatalf("after the reset: %d %v", status, err)
	}
}

func TestHangEndsWithTheClient(t *testing.T) {
	f := newFake(t)
	f.faults.FailNext(1, Hang)
	ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
	defer cancel()
	if _, _, _, err := f.get(ctx); !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("a hang ended with %v", err)
	}
}

func TestCloseReleasesHangsAndLatency(t *testing.T) {
	for name, plan := range map[string]func(*Faults){
		"hang":    func(p *Faults) { p.FailNext(1, Hang) },
		"latency": func(p *Faults) { p.SetLatency(time.Hour) },
	} {
		t.Run(name, func(t *testing.T) {
			f := newFake(t)
			plan(&f.faults)
			done := make(chan struct{})
			go func() {
				defer close(done)
				_, _, _, _ = f.get(context.Background())
			}()
			time.Sleep(50 * time.Millisecond)
			closed := make(chan struct{})
			go func() { f.srv.Close(); close(closed) }()
			for _, c := range []chan struct{}{closed, done} {
				select {
				case <-c:
				case <-time.After(5 * time.Second):
					t.Fatal("a waiting request kept Close from returning")
				}
			}
			f.srv.Close() // again: a no-op, as at the end of the test
		})
	}
}

func TestLatencyAndClear(t *testing.T) {
	f := newFake(t)
	f.faults.SetLatency(50 * time.Millisecond)
	start := time.Now()
	if status, _, _, err := f.get(context.Background()); err != nil || status != 200 || time.Since(start) < 50*time.Millisecond {
		t.Fatalf("with latency: %d %v after %v", status, err, time.Since(start))
	}
	f.faults.SetLatency(time.Hour)
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	if _, _, _, err := f.get(ctx); !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("a client that gave up during the latency: %v", err)
	}
	f.faults.FailNext(3, BadGateway)
	f.faults.Clear()
	start = time.Now()
	if status, _, _, err := f.get(context.Background()); err != nil || status != 200 || time.Since(start) > time.Second {
		t.Fatalf("after Clear: %d %v after %v", status, err, time.Since(start))
	}
}

func TestInjectAndDrain(t *testing.T) {
	read := make(chan string, 1)
	probe := func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		read <- string(b)
		w.WriteHeader(http.StatusTeapot)
	}
	var p Faults
	f := &fake{}
	f.srv = NewServer(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		p.Inject(w, r, Drain(probe))
	}))
	if status, _, _, err := f.get(context.Background()); err != nil || status != http.StatusTeapot {
		t.Fatalf("%d %v", status, err)
	}
	if b := <-read; b != "" {
		t.Errorf("the fault read %q after Drain", b)
	}
	if req, inj := p.Counts(); req != 0 || inj != 1 {
		t.Errorf("counts %d requests, %d injected; want 0, 1", req, inj)
	}
	if Drain(nil) != nil {
		t.Error("Drain(nil) is a fault")
	}
}

type kind int

func TestKind(t *testing.T) {
	answers := map[kind]Fault{1: BadGateway}
	if Kind("fakex", answers, 0) != nil {
		t.Error("the zero kind is a fault")
	}
	if Kind("fakex", answers, 1) == nil {
		t.Error("a known kind has no fault")
	}
	unknown := Kind("fakex", answers, 7)
	defer func() {
		if r := recover(); r != "fakex: unknown fault 7" {
			t.Errorf("unknown kind: panic %v", r)
		}
	}()
	unknown(nil, nil)
	t.Error("an unknown kind did not panic")
}
