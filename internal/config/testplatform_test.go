package config_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/heraldhq/herald/internal/config"
)

// pager is a platform that exists only in this test: the loader must give
// a section type defined outside internal/config the same defaults,
// strict keys, *_file secrets, redaction by type and file:line errors as
// the platforms Herald ships, from the list it is handed alone.
type pager struct {
	URL       string        `yaml:"url"`
	Token     config.Secret `yaml:"token"`
	TokenFile string        `yaml:"token_file"`
	Retries   int           `yaml:"retries"`
	Labels    []string      `yaml:"labels"`
}

func (p *pager) Validate() []config.FieldError {
	var errs config.FieldErrors
	if p.URL == "" {
		errs.AddMissing("url", "required")
	}
	if p.Retries < 0 || p.Retries > 5 {
		errs.Add("retries", "must be between 0 and 5, got %d", p.Retries)
	}
	return errs
}

var pagerOnly = []config.Platform{{Name: "pager", New: func() config.Section { return &pager{Retries: 3} }}}

func loadWith(t *testing.T, text string, ps []config.Platform) (*config.Config, error) {
	t.Helper()
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "token"), []byte("pager-token-from-file\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	p := filepath.Join(dir, "herald.yml")
	if err := os.WriteFile(p, []byte(text), 0o600); err != nil {
		t.Fatal(err)
	}
	return config.Load(p, ps)
}

func TestTestOnlyPlatform(t *testing.T) {
	t.Parallel()
	c, err := loadWith(t, `channels:
  - name: a
    pager: {url: "https://pager.example/hook", token: pager-token-inline}
  - name: b
    pager:
      url: https://pager.example/other
      token_file: token
      retries: 1
`, pagerOnly)
	if err != nil {
		t.Fatal(err)
	}
	a, b := c.Channels[0].Section.(*pager), c.Channels[1].Section.(*pager)
	if c.Channels[0].Platform != "pager" || a.Retries != 3 || b.Retries != 1 {
		t.Errorf("platform %q, defaults not applied: %+v %+v", c.Channels[0].Platform, a, b)
	}
	if string(b.Token) != "pager-token-from-file" {
		t.Errorf("token_file not read: %q", b.Token)
	}
	secrets := strings.Join(c.Secrets(), " ")
	for _, s := range []string{"pager-token-inline", "pager-token-from-file"} {
		if !strings.Contains(secrets, s) {
			t.Errorf("Secrets() lacks %s: the secret is not found by its type", s)
		}
	}
}

func TestTestOnlyPlatformErrors(t *testing.T) {
	t.Parallel()
	_, err := loadWith(t, `channels:
  - name: a
    pager:
      retries: 9
      colour: red
  - name: b
    telegram: {chat_id: 1}
  - name: c
`, pagerOnly)
	if err == nil {
		t.Fatal("no error")
	}
	for _, want := range []string{
		`herald.yml:5: channels[0].pager: unknown field "colour"`,
		`herald.yml:7: channels[1]: unknown field "telegram"`,
		`channels[2]: no platform set (want one of: pager)`,
	} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("errors lack %q:\n%v", want, err)
		}
	}
	_, err = loadWith(t, "channels:\n  - name: a\n    pager:\n      retries: 9\n", pagerOnly)
	for _, want := range []string{`herald.yml:3: channels[0].pager.url: required`, `herald.yml:4: channels[0].pager.retries: must be between 0 and 5, got 9`} {
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("errors lack %q:\n%v", want, err)
		}
	}
}
