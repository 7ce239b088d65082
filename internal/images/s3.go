package images

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/minio/minio-go/v7"
	"github.com/minio/minio-go/v7/pkg/credentials"
)

// MaxPresignExpiry is the longest a SigV4 presigned URL may be valid: S3
// refuses X-Amz-Expires above 604800 seconds
// (https://docs.aws.amazon.com/AmazonS3/latest/API/sigv4-query-string-auth.html).
const MaxPresignExpiry = 7 * 24 * time.Hour

// DefaultS3Timeout bounds one upload when S3Options.Timeout is zero.
const DefaultS3Timeout = 10 * time.Second

// S3Options say where an S3Store uploads charts.
type S3Options struct {
	// Endpoint is the server's absolute URL without a path
	// (https://s3.eu-central-1.amazonaws.com, http://minio:9000).
	Endpoint string
	// Region signs requests; set it, or the client would ask the bucket
	// for its location, which needs a permission Herald does not need.
	Region string
	Bucket string
	// Prefix starts every object key ("charts/").
	Prefix          string
	AccessKeyID     string
	SecretAccessKey string
	// PathStyle forces path-style (true) or virtual-hosted (false) bucket
	// addressing; nil lets the client choose by endpoint.
	PathStyle *bool
	// PublicURL, when set, is where the bucket is readable without
	// credentials (a public bucket or a CDN): links are PublicURL + key.
	// Otherwise links are presigned GET URLs.
	PublicURL string
	// TTL is how long links work; presigned links are capped at
	// MaxPresignExpiry.
	TTL time.Duration
	// Timeout bounds one upload (default DefaultS3Timeout).
	Timeout time.Duration

	// Transport sends the uploads (images.s3.http_config, built by
	// internal/httpconf); nil is a clone of http.DefaultTransport.
	Transport http.RoundTripper
}

// S3Store uploads charts to S3-compatible storage, for a Herald that chat
// platforms cannot reach. It only ever calls PutObject (presigning is done
// locally); deleting old charts is left to a lifecycle rule on the bucket.
// It is safe for concurrent use.
type S3Store struct {
	client    *minio.Client
	bucket    string
	prefix    string
	publicURL string
	ttl       time.Duration // what the object's Expires header says
	expiry    time.Duration // presigned link validity, ttl capped
	timeout   time.Duration
	now       func() time.Time
	logger    *slog.Logger
}

// OpenS3 makes a store from o. It does not contact the server: a wrong
// bucket or key shows up on the first Publish.
func OpenS3(o S3Options, logger *slog.Logger) (*S3Store, error) {
	u, err := url.Parse(o.Endpoint)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil, errors.New("images: s3 endpoint must be an absolute http or https URL")
	}
	if o.Bucket == "" || o.Region == "" || o.AccessKeyID == "" || o.SecretAccessKey == "" || o.TTL <= 0 {
		return nil, errors.New("images: s3 needs a bucket, a region, both keys and a positive ttl")
	}
	lookup := minio.BucketLookupAuto
	if o.PathStyle != nil {
		lookup = minio.BucketLookupDNS
		if *o.PathStyle {
			lookup = minio.BucketLookupPath
		}
	}
	tr := o.Transport
	if tr == nil {
		tr = http.DefaultTransport.(*http.Transport).Clone()
	}
	client, err := minio.New(u.Host, &minio.Options{
		Creds:        credentials.NewStaticV4(o.AccessKeyID, o.SecretAccessKey, ""),
		Secure:       u.Scheme == "https",
		Region:       o.Region,
		BucketLookup: lookup,
		Transport:    tr,
		// One retry absorbs the occasional 500 or 503 SlowDown that S3
		// asks clients to retry; more would outlast the chart's budget.
		MaxRetries: 2,
	})
	if err != nil {
		return nil, fmt.Errorf("images: s3: %w", err)
	}
	s := &S3Store{client: client, bucket: o.Bucket, prefix: o.Prefix, publicURL: o.PublicURL,
		ttl: o.TTL, expiry: min(o.TTL, MaxPresignExpiry), timeout: o.Timeout, now: time.Now, logger: logger}
	if s.timeout <= 0 {
		s.timeout = DefaultS3Timeout
	}
	if s.publicURL != "" && !strings.HasSuffix(s.publicURL, "/") {
		s.publicURL += "/"
	}
	if s.publicURL == "" && o.TTL > MaxPresignExpiry {
		logger.Warn("presigned S3 links cannot be valid for more than 7 days; chart links expire after 7d, not images.ttl",
			"ttl", o.TTL)
	}
	return s, nil
}

// Key is the object key of a chart: the prefix and a content hash, so
// that publishing the same chart twice writes one object.
func (s *S3Store) Key(png []byte) string {
	sum := sha256.Sum256(png)
	return s.prefix + hex.EncodeToString(sum[:16]) + ".png"
}

// Publish uploads a PNG and returns a link to it: public_url + key, or a
// presigned GET URL valid for the TTL (at most 7 days).
func (s *S3Store) Publish(png []byte) (string, error) {
	ctx, cancel := context.WithTimeout(context.Background(), s.timeout)
	defer cancel()
	key := s.Key(png)
	_, err := s.client.PutObject(ctx, s.bucket, key, bytes.NewReader(png), int64(len(png)), minio.PutObjectOptions{
		ContentType:  "image/png",
		CacheControl: fmt.Sprintf("public, max-age=%d, immutable", int(s.ttl.Seconds())),
		Expires:      s.now().Add(s.ttl),
		// Content-MD5 (signed) protects the body end to end, so the payload
		// itself goes unsigned: no aws-chunked streaming signatures over
		// plain http, which several S3-compatible servers reject.
		SendContentMd5:       true,
		DisableContentSha256: true,
		DisableMultipart:     true,
	})
	if err != nil {
		return "", fmt.Errorf("images: s3 upload of %s to bucket %s: %w", key, s.bucket, describeS3Error(err))
	}
	s.logger.Debug("chart uploaded to S3", "bucket", s.bucket, "key", key, "bytes", len(png))
	if s.publicURL != "" {
		return s.publicURL + key, nil
	}
	u, err := s.client.PresignedGetObject(ctx, s.bucket, key, s.expiry, nil)
	if err != nil {
		return "", fmt.Errorf("images: s3 presign %s: %w", key, err)
	}
	return u.String(), nil
}

// s3Error is an S3 error answer with its code and status, which minio-go's
// own message ("Access Denied.") leaves out.
type s3Error struct{ resp minio.ErrorResponse }

func (e *s3Error) Error() string {
	msg := strings.TrimSuffix(e.resp.Message, ".")
	if msg == "" {
		msg = http.StatusText(e.resp.StatusCode)
	}
	return fmt.Sprintf("%s (%s, HTTP %d)", msg, e.resp.Code, e.resp.StatusCode)
}

func (e *s3Error) Unwrap() error { return e.resp }

func describeS3Error(err error) error {
	var resp minio.ErrorResponse
	if errors.As(err, &resp) && resp.StatusCode != 0 {
		return &s3Error{resp}
	}
	return err
}
