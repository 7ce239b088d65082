package config_test

import (
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"go.yaml.in/yaml/v3"

	"github.com/heraldhq/herald/internal/notify/dingtalk"
	"github.com/heraldhq/herald/internal/notify/webhook"
)

// An http_config decodes as Prometheus' does: defaults where it is not
// written, bearer_token moved to authorization, relative paths made
// absolute; its secrets, file contents and proxy password included, are
// listed for redaction, and a dump shows none of them.
func TestHTTPConfig(t *testing.T) {
	t.Parallel()
	c, err := loadAll(filepath.Join("testdata", "http-config.yml"))
	if err != nil {
		t.Fatal(err)
	}
	hook := c.Channels[0].Section.(*webhook.Config).HTTPConfig
	if hook.Authorization == nil || hook.Authorization.Type != "Bearer" || string(hook.Authorization.Credentials) != "auth-credential" {
		t.Errorf("authorization %+v", hook.Authorization)
	}
	if !hook.FollowRedirects || !hook.EnableHTTP2 {
		t.Errorf("defaults not applied: follow_redirects %v, enable_http2 %v", hook.FollowRedirects, hook.EnableHTTP2)
	}
	if hook.ProxyURL.URL == nil || hook.ProxyURL.Host != "proxy.example.com:3128" {
		t.Errorf("proxy_url %v", hook.ProxyURL)
	}
	if !filepath.IsAbs(hook.TLSConfig.CAFile) || !filepath.IsAbs(hook.HTTPHeaders.Headers["X-Api-Key"].Files[0]) {
		t.Errorf("relative paths kept: %q, %q", hook.TLSConfig.CAFile, hook.HTTPHeaders.Headers["X-Api-Key"].Files)
	}
	robot := c.Channels[1].Section.(*dingtalk.Config).HTTPConfig
	if robot.FollowRedirects || robot.EnableHTTP2 || robot.BasicAuth == nil || !filepath.IsAbs(robot.BasicAuth.PasswordFile) {
		t.Errorf("dingtalk http_config %+v", robot)
	}

	secrets := c.Secrets()
	for _, want := range []string{"auth-credential", "proxy-password", "Basic proxy-connect-value", "header-secret-value",
		"pw-from-file", "legacy-bearer", "123:from-file"} {
		if !slices.Contains(secrets, want) {
			t.Errorf("Secrets() misses %q: %q", want, secrets)
		}
	}
	dump, err := yaml.Marshal(c)
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range secrets {
		if strings.Contains(string(dump), s) {
			t.Errorf("the dump shows the secret %q", s)
		}
	}
}
