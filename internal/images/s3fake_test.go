package images

import (
	"crypto/md5"
	"encoding/base64"
	"encoding/xml"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"time"
)

// fakeS3 is a strict in-process S3 with one bucket. It checks what S3
// checks before storing anything: the SigV4 signature of every request
// (header or presigned), the credential scope's region, clock skew, the
// presigned expiry and its 7-day cap, and Content-MD5. The key it knows
// may only PutObject and GetObject, the least privilege Herald documents;
// any other call (GetBucketLocation, HeadBucket, a listing) is refused.
type fakeS3 struct {
	srv    *httptest.Server
	region string
	bucket string
	keyID  string
	secret string
	// public lets anyone GET objects (a public bucket or a CDN).
	public bool
	// getAllowed is whether the key holds s3:GetObject (presigned links).
	getAllowed bool

	mu      sync.Mutex
	now     func() time.Time
	objects map[string]fakeObject
	// failPuts answers this many PUTs with 500 InternalError.
	failPuts int
	calls    []string
}

type fakeObject struct {
	data   []byte
	header http.Header
}

func newFakeS3() *fakeS3 {
	f := &fakeS3{region: "eu-central-1", bucket: "herald-charts", keyID: "AKIAHERALDTEST", secret: "s3cr3t-key/with+chars",
		getAllowed: true, now: time.Now, objects: map[string]fakeObject{}}
	f.srv = httptest.NewServer(f)
	return f
}

// s3ErrorBody is S3's error document
// (https://docs.aws.amazon.com/AmazonS3/latest/API/ErrorResponses.html).
type s3ErrorBody struct {
	XMLName  xml.Name `xml:"Error"`
	Code     string
	Message  string
	Resource string
}

func s3Fail(w http.ResponseWriter, status int, code, msg string) {
	w.Header().Set("Content-Type", "application/xml")
	w.WriteHeader(status)
	xml.NewEncoder(w).Encode(s3ErrorBody{Code: code, Message: msg})
}

// objectKey splits the request into bucket and key for both path-style and
// virtual-hosted addressing.
func (f *fakeS3) objectKey(r *http.Request) (bucket, key string) {
	host, _, _ := strings.Cut(r.Host, ":")
	if b, ok := strings.CutSuffix(host, ".s3.test"); ok {
		return b, strings.TrimPrefix(r.URL.Path, "/")
	}
	bucket, key, _ = strings.Cut(strings.TrimPrefix(r.URL.Path, "/"), "/")
	return bucket, key
}

func (f *fakeS3) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	f.mu.Lock()
	defer f.mu.Unlock()
	bucket, key := f.objectKey(r)
	f.calls = append(f.calls, r.Method+" "+bucket+"/"+key+"?"+r.URL.RawQuery)
	if bucket != f.bucket {
		s3Fail(w, http.StatusNotFound, "NoSuchBucket", "The specified bucket does not exist")
		return
	}
	anonymous := r.Header.Get("Authorization") == "" && r.URL.Query().Get("X-Amz-Signature") == ""
	if anonymous && f.public && r.Method == http.MethodGet && key != "" {
		f.get(w, key)
		return
	}
	if status, code, msg := f.verify(r); status != 0 {
		s3Fail(w, status, code, msg)
		return
	}
	switch {
	case r.Method == http.MethodPut && key != "" && len(r.URL.Query()) == 0:
		f.put(w, r, key)
	case r.Method == http.MethodGet && key != "" && f.getAllowed:
		f.get(w, key)
	default:
		s3Fail(w, http.StatusForbidden, "AccessDenied", "Access Denied")
	}
}

func (f *fakeS3) put(w http.ResponseWriter, r *http.Request, key string) {
	if f.failPuts > 0 {
		f.failPuts--
		s3Fail(w, http.StatusInternalServerError, "InternalError", "We encountered an internal error. Please try again.")
		return
	}
	body, err := io.ReadAll(r.Body)
	if err != nil {
		s3Fail(w, http.StatusBadRequest, "IncompleteBody", err.Error())
		return
	}
	sum := md5.Sum(body)
	if md := r.Header.Get("Content-Md5"); md != "" && md != base64.StdEncoding.EncodeToString(sum[:]) {
		s3Fail(w, http.StatusBadRequest, "BadDigest", "The Content-MD5 you specified did not match what we received.")
		return
	}
	if sha := r.Header.Get("X-Amz-Content-Sha256"); sha != unsignedPayload && sha != hexSHA256(body) {
		s3Fail(w, http.StatusBadRequest, "XAmzContentSHA256Mismatch", "The provided 'x-amz-content-sha256' header does not match what was computed.")
		return
	}
	h := http.Header{}
	for _, k := range []string{"Content-Type", "Cache-Control", "Expires"} {
		if v := r.Header.Get(k); v != "" {
			h.Set(k, v)
		}
	}
	f.objects[key] = fakeObject{data: body, header: h}
	w.Header().Set("ETag", fmt.Sprintf("%q", fmt.Sprintf("%x", sum)))
	w.WriteHeader(http.StatusOK)
}

func (f *fakeS3) get(w http.ResponseWriter, key string) {
	o, ok := f.objects[key]
	if !ok {
		s3Fail(w, http.StatusNotFound, "NoSuchKey", "The specified key does not exist.")
		return
	}
	for k, v := range o.header {
		w.Header()[k] = v
	}
	w.Write(o.data)
}

// object returns a stored object.
func (f *fakeS3) object(key string) (fakeObject, bool) {
	f.mu.Lock()
	defer f.mu.Unlock()
	o, ok := f.objects[key]
	return o, ok
}

// log returns the calls made so far.
func (f *fakeS3) log() []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]string(nil), f.calls...)
}

// setNow moves the fake's clock.
func (f *fakeS3) setNow(t time.Time) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.now = func() time.Time { return t }
}
