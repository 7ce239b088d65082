package config

import (
	"encoding/json"
	"log/slog"
	"net/url"
	"path/filepath"
	"reflect"
	"slices"
	"strings"

	promconfig "github.com/prometheus/common/config"
)

// HTTPClientConfig is Prometheus' and Alertmanager's http_config
// (basic_auth, authorization, oauth2, tls_config, proxy_url, no_proxy,
// proxy_from_environment, proxy_connect_header, follow_redirects,
// enable_http2, http_headers), so that what works in prometheus.yml works
// in Herald. The loader finds every one by type, wherever it is: it checks
// it (Validate, the files it names) with the file, line and field of each
// problem, makes its file paths absolute, and lists its secrets for
// redaction. internal/httpconf builds the client.
//
// It wraps prometheus/common's type for one reason: that type's Secret
// shows its value to fmt's %#v, and Herald's configuration must print no
// secret whatever the verb (see Secret).
type HTTPClientConfig struct {
	promconfig.HTTPClientConfig `yaml:",inline"`
}

// DefaultHTTPClientConfig is an http_config that is not written:
// redirects followed and HTTP/2 on, as in Prometheus.
func DefaultHTTPClientConfig() HTTPClientConfig {
	return HTTPClientConfig{promconfig.DefaultHTTPClientConfig}
}

// GoString hides the secrets from fmt's %#v: it is the YAML of the
// configuration, where every secret is <secret>.
func (h HTTPClientConfig) GoString() string {
	return "config.HTTPClientConfig{" + strings.TrimSpace(h.HTTPClientConfig.String()) + "}"
}

// MarshalJSON hides the password of proxy_url, which prometheus/common's
// URL shows in JSON (its YAML hides it).
func (h HTTPClientConfig) MarshalJSON() ([]byte, error) {
	c := h.HTTPClientConfig
	c.ProxyURL = redactURL(c.ProxyURL)
	if c.OAuth2 != nil {
		o := *c.OAuth2
		o.ProxyURL = redactURL(o.ProxyURL)
		c.OAuth2 = &o
	}
	return json.Marshal(c)
}

// redactURL is u with its password, if any, replaced.
func redactURL(u promconfig.URL) promconfig.URL {
	if u.URL == nil {
		return u
	}
	if _, ok := u.User.Password(); !ok {
		return u
	}
	c := *u.URL
	c.User = url.UserPassword(c.User.Username(), secretMask)
	return promconfig.URL{URL: &c}
}

// SetsAuthorization reports whether h sends an Authorization header of
// its own (basic_auth, authorization, oauth2 or bearer_token).
func (h *HTTPClientConfig) SetsAuthorization() bool {
	return h.BasicAuth != nil || h.Authorization != nil || h.OAuth2 != nil || h.BearerToken != "" || h.BearerTokenFile != ""
}

// LogValue hides the secrets from log/slog.
func (h HTTPClientConfig) LogValue() slog.Value { return slog.StringValue(h.HTTPClientConfig.String()) }

var httpConfigType = reflect.TypeFor[HTTPClientConfig]()

// findHTTPConfigs calls fn with the path of every HTTPClientConfig of v,
// channels' platform sections included.
func findHTTPConfigs(v reflect.Value, path string, fn func(string, *HTTPClientConfig)) {
	switch v.Kind() {
	case reflect.Pointer, reflect.Interface:
		if !v.IsNil() {
			findHTTPConfigs(v.Elem(), path, fn)
		}
	case reflect.Slice:
		for i := range v.Len() {
			findHTTPConfigs(v.Index(i), indexPath(path, i), fn)
		}
	case reflect.Struct:
		switch v.Type() {
		case httpConfigType:
			fn(path, v.Addr().Interface().(*HTTPClientConfig))
			return
		case channelType:
			ch := v.Addr().Interface().(*ChannelConfig)
			if ch.Section != nil {
				findHTTPConfigs(reflect.ValueOf(ch.Section), joinPath(path, ch.Platform), fn)
			}
			return
		}
		for i := range v.NumField() {
			f := v.Type().Field(i)
			name, opts, _ := strings.Cut(f.Tag.Get("yaml"), ",")
			switch {
			case !f.IsExported() || name == "-":
			case name == "" && opts == "inline":
				findHTTPConfigs(v.Field(i), path, fn)
			case name != "":
				findHTTPConfigs(v.Field(i), joinPath(path, name), fn)
			}
		}
	}
}

// checkHTTPConfigs checks every http_config of c.
func (l *loader) checkHTTPConfigs(c *Config) {
	findHTTPConfigs(reflect.ValueOf(c).Elem(), "", func(p string, h *HTTPClientConfig) {
		if !l.hasFailed(p) {
			l.checkHTTPConfig(c, p, h)
		}
	})
}

// checkHTTPConfig checks the http_config h at path p: what
// prometheus/common's Validate checks, with the field's line, then the
// files it names (read now, so that a missing file stops Herald at start-up
// or reload rather than at the first alert, and so that their content is
// redacted like any other secret).
func (l *loader) checkHTTPConfig(c *Config, p string, h *HTTPClientConfig) {
	n := len(l.errs)
	for _, r := range httpRefs(h) {
		if r.value != "" {
			l.fieldErrorf(joinPath(p, r.key), "not supported: Herald has no secret manager (use %s)", strings.TrimSuffix(lastSegment(r.key), "_ref")+"_file")
		}
	}
	if h.ProxyURL.URL != nil {
		if err := checkProxyURL(h.ProxyURL.String()); err != nil {
			l.fieldErrorf(joinPath(p, "proxy_url"), "%v", err)
		}
	}
	if len(l.errs) == n && !l.checkHTTPAuth(p, h) {
		if err := h.Validate(); err != nil {
			l.fieldErrorf(p, "%v", err)
		}
	}
	for _, t := range []struct {
		prefix string
		tls    *promconfig.TLSConfig
	}{{p, &h.TLSConfig}, {joinPath(p, "oauth2"), oauthTLS(h)}} {
		if t.tls != nil && !l.hasFailed(t.prefix+".tls_config") {
			l.checkHTTPTLS(t.prefix, t.tls)
		}
	}
	for _, f := range httpSecretFiles(h) {
		if *f.path == "" || l.hasFailed(joinPath(p, f.key)) {
			continue
		}
		v, err := readSecretFile(l.dir, *f.path)
		if err != nil {
			l.fieldErrorf(joinPath(p, f.key), "%v", err)
			continue
		}
		if !f.header || len(v) >= MinRedactedHeaderValue {
			c.fileSecrets = append(c.fileSecrets, string(v))
		}
		*f.path = absPath(l.dir, *f.path)
	}
}

// checkHTTPAuth reports two ways of authenticating set together under
// the key that adds the second, rather than prometheus/common's one
// sentence for the section; bearer_token and bearer_token_file, which
// Herald's files have used, are the older spelling of authorization. It
// reports whether there was a problem.
func (l *loader) checkHTTPAuth(p string, h *HTTPClientConfig) bool {
	n := len(l.errs)
	var set []string
	for _, a := range []struct {
		key string
		on  bool
	}{
		{"bearer_token", h.BearerToken != ""}, {"bearer_token_file", h.BearerTokenFile != ""},
		{"basic_auth", h.BasicAuth != nil}, {"authorization", h.Authorization != nil}, {"oauth2", h.OAuth2 != nil},
	} {
		if !a.on {
			continue
		}
		for _, prev := range set {
			msg := "cannot be used together with " + prev
			if strings.HasPrefix(prev, "bearer_token") && a.key == "authorization" {
				msg += " (" + prev + " is the older spelling of authorization: keep one)"
			}
			l.fieldErrorf(joinPath(p, a.key), "%s", msg)
		}
		set = append(set, a.key)
	}
	return len(l.errs) > n
}

// checkHTTPTLS checks a tls_config's files as those of the other TLS
// sections, when they are all files; certificates written inline are
// parsed by prometheus/common.
func (l *loader) checkHTTPTLS(prefix string, t *promconfig.TLSConfig) {
	field := prefix + ".tls_config"
	if t.CA != "" || t.Cert != "" || t.Key != "" {
		t.SetDirectory(l.dir)
		err := t.Validate()
		if err == nil {
			_, err = promconfig.NewTLSConfig(t)
		}
		if err != nil {
			l.fieldErrorf(field, "%v", err)
		}
		return
	}
	ht := TLSConfig{CAFile: t.CAFile, CertFile: t.CertFile, KeyFile: t.KeyFile}
	l.checkTLS(prefix, &ht)
	t.CAFile, t.CertFile, t.KeyFile = ht.CAFile, ht.CertFile, ht.KeyFile
}

func oauthTLS(h *HTTPClientConfig) *promconfig.TLSConfig {
	if h.OAuth2 == nil {
		return nil
	}
	return &h.OAuth2.TLSConfig
}

// absPath makes a path written in the file relative to its directory.
func absPath(dir, p string) string {
	if p == "" || filepath.IsAbs(p) {
		return p
	}
	return filepath.Join(dir, p)
}

type httpRef struct{ key, value string }

// httpRefs lists the *_ref keys of h, secrets held by a secret manager,
// which Herald does not have.
func httpRefs(h *HTTPClientConfig) []httpRef {
	refs := []httpRef{
		{"tls_config.ca_ref", h.TLSConfig.CARef},
		{"tls_config.cert_ref", h.TLSConfig.CertRef},
		{"tls_config.key_ref", h.TLSConfig.KeyRef},
	}
	if b := h.BasicAuth; b != nil {
		refs = append(refs, httpRef{"basic_auth.username_ref", b.UsernameRef}, httpRef{"basic_auth.password_ref", b.PasswordRef})
	}
	if a := h.Authorization; a != nil {
		refs = append(refs, httpRef{"authorization.credentials_ref", a.CredentialsRef})
	}
	if o := h.OAuth2; o != nil {
		refs = append(refs, httpRef{"oauth2.client_secret_ref", o.ClientSecretRef},
			httpRef{"oauth2.client_certificate_key_ref", o.ClientCertificateKeyRef},
			httpRef{"oauth2.tls_config.ca_ref", o.TLSConfig.CARef},
			httpRef{"oauth2.tls_config.cert_ref", o.TLSConfig.CertRef},
			httpRef{"oauth2.tls_config.key_ref", o.TLSConfig.KeyRef})
	}
	return refs
}

type httpFile struct {
	key    string
	path   *string
	header bool // a header value: redacted only when long enough
}

// httpSecretFiles lists the files of h that hold secrets (read by
// prometheus/common at each request). Validate turns bearer_token_file
// into authorization.credentials_file, unless it failed.
func httpSecretFiles(h *HTTPClientConfig) []httpFile {
	fs := []httpFile{{key: "bearer_token_file", path: &h.BearerTokenFile}}
	if b := h.BasicAuth; b != nil {
		fs = append(fs, httpFile{key: "basic_auth.username_file", path: &b.UsernameFile},
			httpFile{key: "basic_auth.password_file", path: &b.PasswordFile})
	}
	if a := h.Authorization; a != nil {
		fs = append(fs, httpFile{key: "authorization.credentials_file", path: &a.CredentialsFile})
	}
	if o := h.OAuth2; o != nil {
		fs = append(fs, httpFile{key: "oauth2.client_secret_file", path: &o.ClientSecretFile},
			httpFile{key: "oauth2.client_certificate_key_file", path: &o.ClientCertificateKeyFile})
	}
	if h.HTTPHeaders != nil {
		for _, name := range sortedKeys(h.HTTPHeaders.Headers) {
			hd := h.HTTPHeaders.Headers[name]
			for i := range hd.Files {
				fs = append(fs, httpFile{key: indexPath(joinPath("http_headers."+name, "files"), i), path: &hd.Files[i], header: true})
			}
		}
	}
	return fs
}

// sortedKeys returns the keys of m in order, so that errors do not depend
// on map order.
func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}
