package config

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"
)

// secretMask is what a Secret shows instead of its value.
const secretMask = "<secret>"

// Secret is a string that never shows its value when printed, logged or
// marshalled, so that a config dump, a %v in an error or a slog attribute
// cannot leak a token. Code that needs the value converts it: string(s).
type Secret string

// String hides the value from fmt's %v, %s and %+v.
func (s Secret) String() string { return secretMask }

// GoString hides the value from fmt's %#v.
func (s Secret) GoString() string { return secretMask }

// LogValue hides the value from log/slog, whichever handler is used.
func (s Secret) LogValue() slog.Value { return slog.StringValue(secretMask) }

// MarshalYAML hides the value from config dumps. An unset secret stays empty
// so that a dump still shows which secrets are configured.
func (s Secret) MarshalYAML() (any, error) {
	if s == "" {
		return "", nil
	}
	return secretMask, nil
}

// MarshalJSON hides the value from JSON dumps (an unset secret stays "").
func (s Secret) MarshalJSON() ([]byte, error) {
	if s == "" {
		return []byte(`""`), nil
	}
	return json.Marshal(secretMask)
}

// MarshalText hides the value from every encoder that falls back to
// encoding.TextMarshaler (map keys, XML, flag printing).
func (s Secret) MarshalText() ([]byte, error) {
	if s == "" {
		return nil, nil
	}
	return []byte(secretMask), nil
}

// secretRef ties a Secret to its *_file twin so that loading, conflict
// checks and redaction share one list instead of repeating it.
type secretRef struct {
	value     *Secret
	file      *string
	valuePath string // dotted path of the value key
	filePath  string // dotted path of the *_file key
}

// secretRefs lists every secret of c with its *_file variant.
func secretRefs(c *Config) []secretRef {
	refs := []secretRef{
		{&c.Storage.DSN, &c.Storage.DSNFile, "storage.dsn", "storage.dsn_file"},
		{&c.Webhook.BearerToken, &c.Webhook.BearerTokenFile, "webhook.bearer_token", "webhook.bearer_token_file"},
		{&c.Telegram.BotToken, &c.Telegram.BotTokenFile, "telegram.bot_token", "telegram.bot_token_file"},
		{&c.Prometheus.BearerToken, &c.Prometheus.BearerTokenFile, "prometheus.bearer_token", "prometheus.bearer_token_file"},
		{&c.Grafana.APIToken, &c.Grafana.APITokenFile, "grafana.api_token", "grafana.api_token_file"},
	}
	for _, a := range []struct {
		ba     *BasicAuth
		prefix string
	}{
		{c.Webhook.BasicAuth, "webhook"},
		{c.Prometheus.BasicAuth, "prometheus"},
		{c.Grafana.BasicAuth, "grafana"},
	} {
		if a.ba != nil {
			p := a.prefix + ".basic_auth"
			refs = append(refs, secretRef{&a.ba.Password, &a.ba.PasswordFile, p + ".password", p + ".password_file"})
		}
	}
	refs = append(refs, secretRef{&c.Images.SigningKey, &c.Images.SigningKeyFile, "images.signing_key", "images.signing_key_file"})
	if s3 := c.Images.S3; s3 != nil {
		refs = append(refs, secretRef{&s3.SecretAccessKey, &s3.SecretAccessKeyFile,
			"images.s3.secret_access_key", "images.s3.secret_access_key_file"})
	}
	for i := range c.Channels {
		if tg := c.Channels[i].Telegram; tg != nil {
			p := channelPath(i) + ".telegram"
			refs = append(refs, secretRef{&tg.BotToken, &tg.BotTokenFile, p + ".bot_token", p + ".bot_token_file"})
		}
		refs = append(refs, platformSecrets(&c.Channels[i], channelPath(i))...)
	}
	return refs
}

// loadSecretFiles fills every secret whose *_file is set. Relative paths are
// taken from dir (the config file's directory) so that a config works the
// same whatever the working directory of the process.
func (l *loader) loadSecretFiles(c *Config) {
	for _, r := range secretRefs(c) {
		if *r.file == "" {
			continue
		}
		if *r.value != "" {
			l.fieldErrorf(r.filePath, "cannot be used together with %s", lastSegment(r.valuePath))
			l.failed[r.valuePath] = true
			continue
		}
		v, err := readSecretFile(l.dir, *r.file)
		if err != nil {
			l.fieldErrorf(r.filePath, "%v", err)
			l.failed[r.valuePath] = true
			continue
		}
		*r.value = v
	}
}

// readSecretFile reads one secret. The error names the file as written in
// the config (not the resolved path) and never includes the content.
func readSecretFile(dir, name string) (Secret, error) {
	p := name
	if !filepath.IsAbs(p) {
		p = filepath.Join(dir, p)
	}
	data, err := os.ReadFile(p)
	if err != nil {
		var pe *fs.PathError
		if errors.As(err, &pe) {
			err = pe.Err
		}
		return "", fmt.Errorf("cannot read %q: %w", name, err)
	}
	// Editors and `echo` add a final newline that is never part of a token.
	v := strings.TrimRight(string(data), "\r\n")
	if v == "" {
		return "", fmt.Errorf("file %q is empty", name)
	}
	return Secret(v), nil
}

// MinRedactedHeaderValue is the shortest custom header value that
// Secrets lists. Header values are secrets by type, but most are tenant
// ids such as "1"; replacing every "1" in every error would make errors
// unreadable while hiding nothing worth hiding.
const MinRedactedHeaderValue = 4

// Secrets returns every secret value set in c, so that other code can redact
// them from errors and log lines that quote URLs or API answers.
func (c *Config) Secrets() []string {
	var out []string
	seen := map[string]bool{}
	add := func(s string) {
		if s != "" && !seen[s] {
			seen[s] = true
			out = append(out, s)
		}
	}
	for _, r := range secretRefs(c) {
		add(string(*r.value))
	}
	// Header values have no *_file twin (${VAR} covers them), so they are
	// not in secretRefs; sorted so that the list does not depend on map order.
	headers := []map[string]Secret{c.Prometheus.Headers}
	for _, ch := range c.Channels {
		if ch.Webhook != nil {
			headers = append(headers, ch.Webhook.Headers)
		}
	}
	for _, h := range headers {
		for _, name := range slices.Sorted(maps.Keys(h)) {
			if v := h[name]; len(v) >= MinRedactedHeaderValue {
				add(string(v))
			}
		}
	}
	return out
}
