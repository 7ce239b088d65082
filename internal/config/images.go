package config

import (
	"errors"
	"net/url"
	"regexp"
	"strings"
	"time"
)

// S3Config uploads charts to S3-compatible storage (AWS S3, MinIO,
// Cloudflare R2, Alibaba OSS…) instead of serving them from Herald, for a
// Herald that chat platforms cannot reach. Herald only puts objects; a
// lifecycle rule on the bucket deletes them after images.ttl.
type S3Config struct {
	// Endpoint is the server's URL without a path, e.g.
	// https://s3.eu-central-1.amazonaws.com or http://minio:9000.
	Endpoint string `yaml:"endpoint"`
	// Region signs requests (default: the region in an AWS endpoint's host
	// name, otherwise us-east-1, which MinIO and most others expect).
	Region string `yaml:"region"`
	Bucket string `yaml:"bucket"`
	// Prefix starts every object key, e.g. "charts/".
	Prefix string `yaml:"prefix"`
	// AccessKeyID is not a secret: presigned links carry it.
	AccessKeyID         string `yaml:"access_key_id"`
	SecretAccessKey     Secret `yaml:"secret_access_key"`
	SecretAccessKeyFile string `yaml:"secret_access_key_file"`
	// PathStyle puts the bucket in the path (true, for MinIO) or in the
	// host name (false, for AWS and OSS); unset lets the client choose by
	// endpoint.
	PathStyle *bool `yaml:"path_style"`
	// PublicURL is where the bucket can be read without credentials (a
	// public bucket or a CDN in front of it): links are PublicURL + key.
	// Unset, links are presigned GET URLs valid for images.ttl, at most 7d.
	PublicURL string `yaml:"public_url"`
	// Timeout bounds one upload (default 10s).
	Timeout Duration `yaml:"timeout"`
	// HTTP is the client of the uploads (proxy_url, tls_config, ...),
	// Prometheus' http_config. Requests are signed with the keys above, so
	// it sets no authorization of its own.
	HTTP HTTPClientConfig `yaml:"http_config"`
}

// DefaultS3Config is what an images.s3 section starts from.
func DefaultS3Config() S3Config {
	return S3Config{Timeout: Duration(10 * time.Second), HTTP: DefaultHTTPClientConfig()}
}

// DefaultS3Region is the signing region when neither the file nor an AWS
// endpoint names one.
const DefaultS3Region = "us-east-1"

func (s *S3Config) setDefaults() { *s = DefaultS3Config() }

var (
	// bucketName is what S3-compatible servers accept, legacy names with
	// capitals and '_' included (minio-go's s3utils.CheckValidBucketName).
	bucketName = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9._-]{1,61}[A-Za-z0-9]$`)
	// s3Region covers AWS (eu-central-1), R2 (auto), OSS (oss-cn-hangzhou),
	// Scaleway (fr-par) and the like.
	s3Region = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9_-]*$`)
	// awsRegionHost finds the region of an AWS S3 endpoint:
	// s3.eu-central-1.amazonaws.com, s3-eu-west-1.amazonaws.com,
	// s3.dualstack.us-east-2.amazonaws.com, s3.cn-north-1.amazonaws.com.cn.
	awsRegionHost = regexp.MustCompile(`(?:^|\.)s3(?:-fips)?(?:\.dualstack)?[.-]([a-z]{2}(?:-[a-z]+)+-\d+)\.amazonaws\.com(?:\.cn)?$`)
	// keyPrefix keeps to S3's "safe characters", so that public_url + key
	// needs no escaping.
	keyPrefix = regexp.MustCompile(`^[A-Za-z0-9!_.*'()/-]*$`)
)

func (l *loader) checkImages(im *ImagesConfig) {
	if im.TTL <= 0 && !l.hasFailed("images.ttl") {
		l.fieldErrorf("images.ttl", "must be positive")
	}
	if im.S3 != nil && !l.hasFailed("images.s3") {
		l.checkS3("images.s3", im.S3)
		if im.S3.HTTP.SetsAuthorization() {
			l.fieldErrorf("images.s3.http_config", "must not set basic_auth, authorization, oauth2 or bearer_token: requests are signed with access_key_id and secret_access_key")
		}
	}
}

func (l *loader) checkS3(p string, s *S3Config) {
	endpointRegion := l.checkS3Endpoint(p+".endpoint", s.Endpoint)
	switch f := p + ".region"; {
	case l.hasFailed(f):
	case s.Region == "" && endpointRegion != "":
		s.Region = endpointRegion
	case s.Region == "":
		s.Region = DefaultS3Region
	case !s3Region.MatchString(s.Region):
		l.fieldErrorf(f, "invalid region %q", s.Region)
	case endpointRegion != "" && s.Region != endpointRegion:
		l.fieldErrorf(f, "%q does not match the endpoint's region %q", s.Region, endpointRegion)
	}
	switch f := p + ".bucket"; {
	case s.Bucket == "":
		if l.mayRequire(f) {
			l.fieldErrorf(f, "required")
		}
	case !l.hasFailed(f) && !bucketName.MatchString(s.Bucket):
		l.fieldErrorf(f, "invalid bucket name %q (3 to 63 letters, digits, '.', '-' or '_', starting and ending with a letter or digit)", s.Bucket)
	}
	switch f := p + ".prefix"; {
	case l.hasFailed(f):
	case strings.HasPrefix(s.Prefix, "/"):
		l.fieldErrorf(f, "must not start with \"/\"")
	case !keyPrefix.MatchString(s.Prefix):
		l.fieldErrorf(f, "invalid prefix %q (use letters, digits and / ! - _ . * ' ( ))", s.Prefix)
	}
	if s.AccessKeyID == "" && l.mayRequire(p+".access_key_id") {
		l.fieldErrorf(p+".access_key_id", "required")
	}
	if s.SecretAccessKey == "" && l.mayRequire(p+".secret_access_key") && !l.hasFailed(p+".secret_access_key_file") {
		l.fieldErrorf(p+".secret_access_key", "required (or secret_access_key_file)")
	}
	if s.PublicURL != "" && !l.hasFailed(p+".public_url") {
		if err := checkBaseURL(s.PublicURL); err != nil {
			l.fieldErrorf(p+".public_url", "%v", err)
		}
	}
	l.positive(p+".timeout", s.Timeout)
}

// checkS3Endpoint checks the endpoint and returns the region its host
// names, if it is an AWS one.
func (l *loader) checkS3Endpoint(f, endpoint string) (region string) {
	if l.hasFailed(f) {
		return ""
	}
	if endpoint == "" {
		if l.mayRequire(f) {
			l.fieldErrorf(f, "required")
		}
		return ""
	}
	if err := checkBaseURL(endpoint); err != nil {
		l.fieldErrorf(f, "%v", err)
		return ""
	}
	u, _ := url.Parse(endpoint)
	if u.Path != "" && u.Path != "/" {
		l.fieldErrorf(f, "must not have a path, got %q (put the bucket in bucket and the folder in prefix)", u.Path)
		return ""
	}
	if m := awsRegionHost.FindStringSubmatch(u.Hostname()); m != nil {
		return m[1]
	}
	return ""
}

// checkBaseURL accepts an absolute http(s) URL without credentials, query
// or fragment, since Herald appends to it.
func checkBaseURL(s string) error {
	if err := checkHTTPURL(s); err != nil {
		return err
	}
	u, _ := url.Parse(s)
	switch {
	case u.User != nil:
		return errors.New("must not contain a user name or password")
	case u.RawQuery != "" || u.Fragment != "" || strings.HasSuffix(s, "?"):
		return errors.New("must not have a query or fragment")
	}
	return nil
}

// ImagesConfig is where charts are hosted for platforms that take images
// by URL only (DingTalk, Teams, Slack webhooks).
type ImagesConfig struct {
	// TTL is how long a chart link works (default 7d); files are removed after
	// (with S3, a bucket lifecycle rule removes them).
	TTL Duration `yaml:"ttl"`
	// SigningKey signs image links (default: a random key kept in
	// <data_dir>/images.key).
	SigningKey     Secret `yaml:"signing_key"`
	SigningKeyFile string `yaml:"signing_key_file"`
	// S3 uploads charts to S3-compatible storage instead of serving them
	// (for a Herald that chat platforms cannot reach).
	S3 *S3Config `yaml:"s3"`
}

// DefaultImagesConfig is the images section an empty file gives.
func DefaultImagesConfig() ImagesConfig {
	return ImagesConfig{TTL: Duration(7 * 24 * time.Hour)}
}
