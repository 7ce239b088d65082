package httpconf

import (
	"encoding/base64"
	"os"
	"strings"

	promconfig "github.com/prometheus/common/config"

	"github.com/heraldhq/herald/internal/config"
)

// Secrets lists the credentials of cfg as they may be echoed in an
// error: inline values, the content of the files that hold them (read
// now), a basic_auth pair in its encoded form, proxy passwords and header
// secrets (from config.MinRedactedHeaderValue characters on). A client's
// redactor uses it; config.Config.Secrets lists the same for the logs.
func Secrets(cfg config.HTTPClientConfig) []string {
	var out []string
	add := func(s string) {
		if s != "" {
			out = append(out, s)
		}
	}
	if b := cfg.BasicAuth; b != nil {
		user, pw := read(promconfig.Secret(b.Username), b.UsernameFile), read(b.Password, b.PasswordFile)
		add(pw)
		if pw != "" {
			add(base64.StdEncoding.EncodeToString([]byte(user + ":" + pw)))
		}
	}
	if a := cfg.Authorization; a != nil {
		add(read(a.Credentials, a.CredentialsFile))
	}
	add(read(cfg.BearerToken, cfg.BearerTokenFile))
	if o := cfg.OAuth2; o != nil {
		add(read(o.ClientSecret, o.ClientSecretFile))
	}
	if u := cfg.ProxyURL.URL; u != nil {
		if pw, ok := u.User.Password(); ok {
			add(pw)
		}
	}
	for _, vs := range cfg.ProxyConnectHeader {
		for _, v := range vs {
			add(string(v))
		}
	}
	if cfg.HTTPHeaders != nil {
		for _, h := range cfg.HTTPHeaders.Headers {
			for _, v := range h.Secrets {
				if len(v) >= config.MinRedactedHeaderValue {
					add(string(v))
				}
			}
			for _, f := range h.Files {
				if v := read("", f); len(v) >= config.MinRedactedHeaderValue {
					add(v)
				}
			}
		}
	}
	return out
}

// read is v, or the trimmed content of file (as prometheus/common sends
// it); "" when neither is there.
func read(v promconfig.Secret, file string) string {
	if v != "" || file == "" {
		return string(v)
	}
	b, err := os.ReadFile(file)
	if err != nil {
		return ""
	}
	return strings.TrimSpace(string(b))
}
