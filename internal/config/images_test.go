package config_test

import (
	"fmt"
	"github.com/heraldhq/herald/internal/config"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"
)

func TestImagesS3(t *testing.T) {
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "s3-secret"), []byte("wJalrXUtnFEMI/K7MDENG\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(dir, "herald.yml")
	yml := `images:
  ttl: 3d
  s3:
    endpoint: https://s3.eu-central-1.amazonaws.com
    bucket: herald-charts
    prefix: charts/
    access_key_id: ${S3_KEY}
    secret_access_key_file: s3-secret
    public_url: https://charts.example.com/
`
	if err := os.WriteFile(path, []byte(yml), 0o600); err != nil {
		t.Fatal(err)
	}
	c, err := load(path, fakeEnv(map[string]string{"S3_KEY": "AKIAEXAMPLE"}), "")
	if err != nil {
		t.Fatal(err)
	}
	s3 := c.Images.S3
	want := config.S3Config{Endpoint: "https://s3.eu-central-1.amazonaws.com", Region: "eu-central-1", Bucket: "herald-charts",
		Prefix: "charts/", AccessKeyID: "AKIAEXAMPLE", SecretAccessKey: "wJalrXUtnFEMI/K7MDENG", SecretAccessKeyFile: "s3-secret",
		PublicURL: "https://charts.example.com/", Timeout: config.Duration(10 * time.Second), HTTP: config.DefaultHTTPClientConfig()}
	if s3 == nil || !reflect.DeepEqual(*s3, want) || c.Images.TTL.D() != 72*time.Hour {
		t.Fatalf("images = %+v, s3 = %+v", c.Images, s3)
	}
	// The secret key is a secret; the key id is not (presigned links carry it).
	if got := c.Secrets(); !slices.Contains(got, "wJalrXUtnFEMI/K7MDENG") || slices.Contains(got, "AKIAEXAMPLE") {
		t.Errorf("Secrets() = %q", got)
	}
	if out := fmt.Sprintf("%+v %v", *s3, c.Images); strings.Contains(out, "wJalrXUtnFEMI") {
		t.Errorf("printed secret: %s", out)
	}
}

// TestS3Region checks the signing region: the file's, else the one in an
// AWS endpoint's host name, else us-east-1.
func TestS3Region(t *testing.T) {
	for _, tc := range []struct{ endpoint, region, want string }{
		{"http://minio:9000", "", "us-east-1"},
		{"https://s3.eu-central-1.amazonaws.com", "", "eu-central-1"},
		{"https://s3-eu-west-1.amazonaws.com/", "", "eu-west-1"},
		{"https://s3.dualstack.us-gov-west-1.amazonaws.com", "", "us-gov-west-1"},
		{"https://s3.cn-north-1.amazonaws.com.cn", "", "cn-north-1"},
		{"https://s3.amazonaws.com", "", "us-east-1"},
		{"https://0123abc.r2.cloudflarestorage.com", "auto", "auto"},
		{"https://oss-cn-hangzhou.aliyuncs.com", "oss-cn-hangzhou", "oss-cn-hangzhou"},
		{"https://s3.eu-central-1.amazonaws.com", "eu-central-1", "eu-central-1"},
	} {
		c, err := loadText(t, fmt.Sprintf("images:\n  s3:\n    endpoint: %s\n    region: %q\n    bucket: b12\n"+
			"    access_key_id: k\n    secret_access_key: s\n", tc.endpoint, tc.region))
		if err != nil {
			t.Errorf("%s: %v", tc.endpoint, err)
			continue
		}
		if got := c.Images.S3.Region; got != tc.want {
			t.Errorf("%s %q: region %q, want %q", tc.endpoint, tc.region, got, tc.want)
		}
	}
}

// TestS3EmptySection: "s3:" alone turns the upload on and asks for what it needs.
func TestS3EmptySection(t *testing.T) {
	_, err := loadText(t, "images:\n  s3:\n")
	want := []string{"images.s3.endpoint: required", "images.s3.bucket: required",
		"images.s3.access_key_id: required", "images.s3.secret_access_key: required (or secret_access_key_file)"}
	for _, w := range want {
		if err == nil || !strings.Contains(err.Error(), ":2: "+w) {
			t.Errorf("err = %v\nwant %s", err, w)
		}
	}
	if c, err := loadText(t, "images:\n  ttl: 1h\n"); err != nil || c.Images.S3 != nil {
		t.Errorf("no s3 section: %v %+v", err, c)
	}
}
