package config

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"

	promconfig "github.com/prometheus/common/config"
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
// checks and redaction share one walk of the configuration.
type secretRef struct {
	value     *Secret
	file      *string // nil for a secret without a file (a header value)
	valuePath string  // dotted path of the value key
	filePath  string  // dotted path of the *_file key
	header    bool    // a header value: redacted only when long enough
}

var (
	secretType     = reflect.TypeFor[Secret]()
	promSecretType = reflect.TypeFor[promconfig.Secret]()
	promURLType    = reflect.TypeFor[promconfig.URL]()
	stringType     = reflect.TypeFor[string]()
)

// secretRefs finds every Secret of c by type, walking the configuration
// and the channels' platform sections: a Secret field tagged `key` with a
// string field tagged `key_file` beside it is a secret that may be read
// from a file; a Secret in a map (headers) is a secret without one.
func secretRefs(c *Config) []secretRef {
	var refs []secretRef
	walkSecrets(reflect.ValueOf(c).Elem(), "", &refs)
	return refs
}

func walkSecrets(v reflect.Value, path string, refs *[]secretRef) {
	switch v.Kind() {
	case reflect.Pointer, reflect.Interface:
		if !v.IsNil() {
			walkSecrets(v.Elem(), path, refs)
		}
	case reflect.Slice:
		for i := range v.Len() {
			walkSecrets(v.Index(i), indexPath(path, i), refs)
		}
	case reflect.String:
		// prometheus/common's Secret (http_config): listed for redaction;
		// its *_file twins are read by prometheus/common at each request.
		if v.Type() == promSecretType && v.Len() > 0 {
			s := Secret(v.String())
			*refs = append(*refs, secretRef{value: &s, valuePath: path})
		}
	case reflect.Map:
		if v.Type().Key().Kind() != reflect.String {
			return
		}
		// Sorted, so that the list does not depend on map order.
		keys := v.MapKeys()
		slices.SortFunc(keys, func(a, b reflect.Value) int { return strings.Compare(a.String(), b.String()) })
		for _, k := range keys {
			if v.Type().Elem() == secretType {
				s := Secret(v.MapIndex(k).String())
				*refs = append(*refs, secretRef{value: &s, valuePath: joinPath(path, k.String()), header: true})
				continue
			}
			// A copy, since map values are not addressable.
			e := reflect.New(v.Type().Elem()).Elem()
			e.Set(v.MapIndex(k))
			walkSecrets(e, joinPath(path, k.String()), refs)
		}
	case reflect.Struct:
		if v.Type() == promURLType {
			// A proxy_url's password.
			if u := v.Interface().(promconfig.URL); u.URL != nil {
				if pw, ok := u.User.Password(); ok && pw != "" {
					s := Secret(pw)
					*refs = append(*refs, secretRef{value: &s, valuePath: path})
				}
			}
			return
		}
		if v.Type() == channelType {
			ch := v.Addr().Interface().(*ChannelConfig)
			if ch.Section != nil {
				walkSecrets(reflect.ValueOf(ch.Section), joinPath(path, ch.Platform), refs)
			}
			return
		}
		fields := yamlFields(v.Type())
		for i := range v.NumField() {
			f := v.Type().Field(i)
			name, opts, _ := strings.Cut(f.Tag.Get("yaml"), ",")
			if f.IsExported() && name == "" && opts == "inline" {
				walkSecrets(v.Field(i), path, refs)
				continue
			}
			if !f.IsExported() || name == "-" || name == "" {
				continue
			}
			if f.Type != secretType {
				walkSecrets(v.Field(i), joinPath(path, name), refs)
				continue
			}
			r := secretRef{value: v.Field(i).Addr().Interface().(*Secret), valuePath: joinPath(path, name)}
			if j, ok := fields[name+"_file"]; ok && v.FieldByIndex(j).Type() == stringType {
				r.file, r.filePath = v.FieldByIndex(j).Addr().Interface().(*string), joinPath(path, name+"_file")
			}
			*refs = append(*refs, r)
		}
	}
}

// loadSecretFiles fills every secret whose *_file is set. Relative paths are
// taken from dir (the config file's directory) so that a config works the
// same whatever the working directory of the process.
func (l *loader) loadSecretFiles(c *Config) {
	for _, r := range secretRefs(c) {
		if r.file == nil || *r.file == "" {
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
// them from errors and log lines that quote URLs or API answers: every
// Secret (header values from MinRedactedHeaderValue characters on) and what
// platform sections list beside them (SecretLister).
func (c *Config) Secrets() []string {
	var out []string
	seen := map[string]bool{}
	add := func(s string) {
		if s != "" && !seen[s] {
			seen[s] = true
			out = append(out, s)
		}
	}
	var headers []string
	for _, r := range secretRefs(c) {
		switch {
		case !r.header:
			add(string(*r.value))
		case len(*r.value) >= MinRedactedHeaderValue:
			headers = append(headers, string(*r.value))
		}
	}
	for _, ch := range c.Channels {
		if sl, ok := ch.Section.(SecretLister); ok {
			for _, s := range sl.Secrets() {
				add(s)
			}
		}
	}
	for _, s := range c.fileSecrets {
		add(s)
	}
	// Header values come last: most are tenant ids, not tokens.
	for _, h := range headers {
		add(h)
	}
	return out
}
