package app

import (
	"bytes"
	"log/slog"
	"strings"
	"testing"

	"github.com/heraldhq/herald/internal/config"
	"github.com/heraldhq/herald/internal/images"
)

// TestOpenImages checks which chart host the app picks: S3 when
// images.s3 is set (even without external_url), else Herald itself when
// external_url is set, else none.
func TestOpenImages(t *testing.T) {
	s3 := &config.S3Config{Endpoint: "http://minio:9000", Region: "us-east-1", Bucket: "charts",
		AccessKeyID: "k", SecretAccessKey: "s3cr3t-value", Timeout: config.DefaultS3Config().Timeout}
	for _, tc := range []struct {
		name        string
		externalURL string
		s3          *config.S3Config
		want        string
	}{
		{"s3 without external_url", "", s3, "*images.S3Store"},
		{"s3 wins over external_url", "https://herald.example.com", s3, "*images.S3Store"},
		{"external_url", "https://herald.example.com", nil, "*images.Store"},
		{"neither", "", nil, "<nil>"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			cfg := config.DefaultConfig()
			cfg.DataDir = t.TempDir()
			cfg.ExternalURL = tc.externalURL
			cfg.Images.S3 = tc.s3
			var logs bytes.Buffer
			a := &App{logger: slog.New(slog.NewTextHandler(&logs, nil))}
			if err := a.openImages(&cfg); err != nil {
				t.Fatal(err)
			}
			got := "<nil>"
			switch p := a.publisher().(type) {
			case *images.S3Store:
				got = "*images.S3Store"
			case *images.Store:
				got = "*images.Store"
			case nil:
			default:
				t.Fatalf("publisher %T", p)
			}
			if got != tc.want {
				t.Errorf("publisher %s, want %s", got, tc.want)
			}
			if strings.Contains(logs.String(), "s3cr3t-value") {
				t.Errorf("secret logged:\n%s", logs.String())
			}
			t.Log(logs.String())
		})
	}
}
