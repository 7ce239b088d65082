package images

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/minio/minio-go/v7"
)

var testPNG = []byte("\x89PNG\r\n\x1a\nfake chart for s3")

// newS3 opens a store on the fake; change adjusts the options first. The
// returned buffer holds everything the store logged.
func newS3(t *testing.T, f *fakeS3, change func(*S3Options)) (*S3Store, *bytes.Buffer) {
	t.Helper()
	o := S3Options{Endpoint: f.srv.URL, Region: f.region, Bucket: f.bucket, Prefix: "charts/",
		AccessKeyID: f.keyID, SecretAccessKey: f.secret, PathStyle: new(true), TTL: 7 * 24 * time.Hour}
	if change != nil {
		change(&o)
	}
	var logs bytes.Buffer
	s, err := OpenS3(o, slog.New(slog.NewTextHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug})))
	if err != nil {
		t.Fatal(err)
	}
	return s, &logs
}

func fetch(t *testing.T, c *http.Client, u string) (int, http.Header, []byte) {
	t.Helper()
	resp, err := c.Get(u)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, resp.Header, b
}

var keyPattern = regexp.MustCompile(`^charts/[0-9a-f]{32}\.png$`)

func TestS3PresignedLink(t *testing.T) {
	f := newFakeS3()
	defer f.srv.Close()
	s, logs := newS3(t, f, nil)
	now := time.Date(2026, 11, 21, 5, 0, 0, 0, time.UTC)
	s.now = func() time.Time { return now }
	link, err := s.Publish(testPNG)
	if err != nil {
		t.Fatal(err)
	}
	key := s.Key(testPNG)
	if !keyPattern.MatchString(key) {
		t.Fatalf("key %q", key)
	}
	obj, ok := f.object(key)
	if !ok || !bytes.Equal(obj.data, testPNG) {
		t.Fatalf("stored object %q (found %v)", obj.data, ok)
	}
	if ct := obj.header.Get("Content-Type"); ct != "image/png" {
		t.Errorf("Content-Type %q", ct)
	}
	if exp, err := http.ParseTime(obj.header.Get("Expires")); err != nil || !exp.Equal(now.Add(7*24*time.Hour)) {
		t.Errorf("Expires %q", obj.header.Get("Expires"))
	}
	if cc := obj.header.Get("Cache-Control"); cc != "public, max-age=604800, immutable" {
		t.Errorf("Cache-Control %q", cc)
	}
	u, _ := url.Parse(link)
	if u.Path != "/herald-charts/"+key || u.Query().Get("X-Amz-Expires") != "604800" || u.Query().Get("X-Amz-Signature") == "" {
		t.Fatalf("link %s", link)
	}
	code, h, body := fetch(t, http.DefaultClient, link)
	if code != 200 || !bytes.Equal(body, testPNG) || h.Get("Content-Type") != "image/png" {
		t.Fatalf("GET link: %d %s %q", code, h.Get("Content-Type"), body)
	}
	// Publishing the same chart again overwrites the same object.
	if _, err := s.Publish(testPNG); err != nil {
		t.Fatal(err)
	}
	// Least privilege: nothing but PutObject, and the GET of the link.
	calls := f.log()
	if len(calls) != 3 || !strings.HasPrefix(calls[0], "PUT herald-charts/"+key+"?") ||
		!strings.HasPrefix(calls[1], "GET herald-charts/"+key+"?X-Amz-") || !strings.HasPrefix(calls[2], "PUT ") {
		t.Errorf("calls %q", calls)
	}
	// The link is bound to its object and expires.
	other := strings.Replace(link, key, "charts/"+strings.Repeat("0", 32)+".png", 1)
	if code, _, _ := fetch(t, http.DefaultClient, other); code != 403 {
		t.Errorf("link moved to another object: %d, want 403", code)
	}
	f.setNow(time.Now().Add(7*24*time.Hour + time.Minute))
	if code, _, body := fetch(t, http.DefaultClient, link); code != 403 || !strings.Contains(string(body), "Request has expired") {
		t.Errorf("expired link: %d %s", code, body)
	}
	if strings.Contains(logs.String(), f.secret) || !strings.Contains(logs.String(), "chart uploaded to S3") {
		t.Errorf("logs:\n%s", logs)
	}
}

// TestS3PresignClamp checks that a ttl beyond S3's 7-day presigning limit
// gives 7-day links (which S3 accepts) and says so once.
func TestS3PresignClamp(t *testing.T) {
	for _, tc := range []struct {
		ttl     time.Duration
		expires string
		warned  bool
	}{
		{time.Hour, "3600", false},
		{7 * 24 * time.Hour, "604800", false},
		{30 * 24 * time.Hour, "604800", true},
	} {
		t.Run(tc.ttl.String(), func(t *testing.T) {
			f := newFakeS3()
			defer f.srv.Close()
			s, logs := newS3(t, f, func(o *S3Options) { o.TTL = tc.ttl })
			link, err := s.Publish(testPNG)
			if err != nil {
				t.Fatal(err)
			}
			u, _ := url.Parse(link)
			if got := u.Query().Get("X-Amz-Expires"); got != tc.expires {
				t.Errorf("X-Amz-Expires %s, want %s", got, tc.expires)
			}
			if code, _, _ := fetch(t, http.DefaultClient, link); code != 200 {
				t.Errorf("GET link: %d", code)
			}
			if warned := strings.Contains(logs.String(), "cannot be valid for more than 7 days"); warned != tc.warned {
				t.Errorf("warned %v, want %v:\n%s", warned, tc.warned, logs)
			}
		})
	}
}

// TestS3PublicURL: with public_url the key needs PutObject only, and links
// are plain URLs that carry no credential.
func TestS3PublicURL(t *testing.T) {
	f := newFakeS3()
	defer f.srv.Close()
	f.public, f.getAllowed = true, false
	s, _ := newS3(t, f, func(o *S3Options) { o.PublicURL = f.srv.URL + "/herald-charts" })
	link, err := s.Publish(testPNG)
	if err != nil {
		t.Fatal(err)
	}
	if link != f.srv.URL+"/herald-charts/"+s.Key(testPNG) {
		t.Fatalf("link %s", link)
	}
	if code, h, body := fetch(t, http.DefaultClient, link); code != 200 || !bytes.Equal(body, testPNG) || h.Get("Content-Type") != "image/png" {
		t.Fatalf("GET link: %d %q", code, body)
	}
}

// TestS3VirtualHosted uploads with the bucket in the host name
// (path_style: false), as AWS and OSS want.
func TestS3VirtualHosted(t *testing.T) {
	f := newFakeS3()
	defer f.srv.Close()
	_, port, _ := net.SplitHostPort(f.srv.Listener.Addr().String())
	tr := http.DefaultTransport.(*http.Transport).Clone()
	tr.DialContext = func(ctx context.Context, network, _ string) (net.Conn, error) {
		return (&net.Dialer{}).DialContext(ctx, network, f.srv.Listener.Addr().String())
	}
	s, _ := newS3(t, f, func(o *S3Options) {
		o.Endpoint, o.PathStyle, o.Transport = "http://s3.test:"+port, new(false), tr
	})
	link, err := s.Publish(testPNG)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(link, "http://herald-charts.s3.test:"+port+"/charts/") {
		t.Fatalf("link %s", link)
	}
	if code, _, body := fetch(t, &http.Client{Transport: tr}, link); code != 200 || !bytes.Equal(body, testPNG) {
		t.Fatalf("GET link: %d %q", code, body)
	}
}

func TestS3Failures(t *testing.T) {
	closed := httptest.NewServer(http.NotFoundHandler())
	closed.Close()
	for _, tc := range []struct {
		name   string
		change func(*fakeS3, *S3Options)
		want   string // in the error; "" means success
		puts   int
	}{
		{"one 500 is retried", func(f *fakeS3, _ *S3Options) { f.failPuts = 1 }, "", 2},
		{"500 twice", func(f *fakeS3, _ *S3Options) { f.failPuts = 5 },
			"bucket herald-charts: We encountered an internal error. Please try again (InternalError, HTTP 500)", 2},
		{"wrong secret", func(_ *fakeS3, o *S3Options) { o.SecretAccessKey = "wr0ng-s3cr3t" },
			"(SignatureDoesNotMatch, HTTP 403)", 1},
		{"unknown key id", func(_ *fakeS3, o *S3Options) { o.AccessKeyID = "AKIAOTHER" }, "(InvalidAccessKeyId, HTTP 403)", 1},
		{"wrong region", func(_ *fakeS3, o *S3Options) { o.Region = "us-east-1" },
			"the region 'us-east-1' is wrong; expecting 'eu-central-1' (AuthorizationHeaderMalformed, HTTP 400)", 1},
		{"no such bucket", func(_ *fakeS3, o *S3Options) { o.Bucket = "other-bucket" }, "(NoSuchBucket, HTTP 404)", 1},
		{"unreachable", func(_ *fakeS3, o *S3Options) { o.Endpoint = closed.URL }, "connection refused", 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f := newFakeS3()
			defer f.srv.Close()
			secret := f.secret
			s, logs := newS3(t, f, func(o *S3Options) { tc.change(f, o) })
			link, err := s.Publish(testPNG)
			if puts := len(f.log()); puts != tc.puts {
				t.Errorf("%d PUTs, want %d", puts, tc.puts)
			}
			if tc.want == "" {
				if err != nil || link == "" {
					t.Fatalf("link %q, err %v", link, err)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("err = %v\nwant it to contain %q", err, tc.want)
			}
			for _, leak := range []string{secret, "wr0ng-s3cr3t"} {
				if strings.Contains(err.Error(), leak) || strings.Contains(logs.String(), leak) {
					t.Errorf("secret %q leaked:\n%v\n%s", leak, err, logs)
				}
			}
			var resp minio.ErrorResponse
			if tc.name != "unreachable" && !errors.As(err, &resp) {
				t.Errorf("errors.As(minio.ErrorResponse) failed for %v", err)
			}
		})
	}
}

// TestS3Timeout checks that a server that does not answer costs at most the
// upload timeout, since Publish runs inside a chart's budget.
func TestS3Timeout(t *testing.T) {
	release := make(chan struct{})
	hang := httptest.NewServer(http.HandlerFunc(func(http.ResponseWriter, *http.Request) { <-release }))
	defer hang.Close()
	defer close(release)
	f := newFakeS3()
	defer f.srv.Close()
	s, _ := newS3(t, f, func(o *S3Options) { o.Endpoint, o.Timeout = hang.URL, 200*time.Millisecond })
	start := time.Now()
	_, err := s.Publish(testPNG)
	if err == nil || !strings.Contains(err.Error(), "deadline exceeded") || time.Since(start) > 3*time.Second {
		t.Fatalf("after %s: %v", time.Since(start), err)
	}
}

func TestS3Concurrent(t *testing.T) {
	f := newFakeS3()
	defer f.srv.Close()
	s, _ := newS3(t, f, nil)
	var wg sync.WaitGroup
	errs := make(chan error, 20)
	for i := range 20 {
		wg.Go(func() {
			if _, err := s.Publish(fmt.Appendf(nil, "%schart %d", testPNG, i)); err != nil {
				errs <- err
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	if n := len(f.log()); n != 20 {
		t.Errorf("%d uploads, want 20", n)
	}
}

func TestOpenS3Rejects(t *testing.T) {
	ok := S3Options{Endpoint: "https://s3.example.com", Region: "r", Bucket: "b", AccessKeyID: "k",
		SecretAccessKey: "s3cr3t", TTL: time.Hour}
	for name, change := range map[string]func(*S3Options){
		"relative endpoint": func(o *S3Options) { o.Endpoint = "s3.example.com" },
		"no bucket":         func(o *S3Options) { o.Bucket = "" },
		"no secret":         func(o *S3Options) { o.SecretAccessKey = "" },
	} {
		o := ok
		change(&o)
		if _, err := OpenS3(o, slog.New(slog.DiscardHandler)); err == nil || strings.Contains(err.Error(), "s3cr3t") {
			t.Errorf("%s: err = %v", name, err)
		}
	}
}
