package config

import (
	"fmt"
	"net/url"
	"reflect"
	"strings"

	"go.yaml.in/yaml/v3"
)

// Platform is what the loader needs to know of a chat platform: the key of
// its section under channels[] and how to make one. The list of platforms
// is handed to Load, Resolve and NewCoordinator (internal/platforms has
// Herald's), so that config never imports a platform: each platform's
// package owns its section's type, defaults and checks, and depends on
// config for Secret, FieldError and the shared URL checks.
type Platform struct {
	// Name is the section's key (channels[].<name>:).
	Name string
	// New returns a section holding the platform's defaults, a pointer to
	// a struct, for the loader to decode the file into.
	New func() Section
}

// Section is a platform's part of a channel, the value under
// channels[].<name>:. The loader decodes it field by field with its yaml
// tags, as the rest of the file (strict keys, ${VAR}, the line of every
// field, anchors), so a Section needs no UnmarshalYAML. Secret fields with
// a string twin tagged `<key>_file` are read from files, and every Secret
// is redacted, by type: a new secret needs no list to be kept.
type Section interface {
	// Validate checks the section once its *_file secrets are read. The
	// errors name fields relative to the section ("url",
	// "mention.mobiles"); the loader adds the channel's path, the file and
	// the line.
	Validate() []FieldError
}

// ConfigValidator is a Section whose checks need the rest of the
// configuration (a Telegram channel falls back on the top-level bot). The
// loader calls it only when the whole file decoded, since a check across
// sections cannot judge a value that failed to decode.
type ConfigValidator interface {
	ValidateConfig(c *Config, ch *ChannelConfig) []FieldError
}

// SecretLister is a Section holding secrets that are not Secret fields of
// their own, such as the token inside a webhook URL, which shows up alone
// in errors and logs.
type SecretLister interface {
	Secrets() []string
}

// FieldError is a problem with one field of a section.
type FieldError struct {
	// Field is the path in the section ("url", "mention.user_ids[1]"),
	// "" for the section as a whole.
	Field string
	Msg   string
	// Missing marks a required value that is absent: the loader leaves the
	// error out when the section holds an unknown key, most likely the same
	// key misspelt, which has its own error.
	Missing bool
}

func (e FieldError) Error() string {
	if e.Field == "" {
		return e.Msg
	}
	return e.Field + ": " + e.Msg
}

// FieldErrors collects a section's problems.
type FieldErrors []FieldError

// Add records a problem with field.
func (e *FieldErrors) Add(field, format string, args ...any) {
	*e = append(*e, FieldError{Field: field, Msg: fmt.Sprintf(format, args...)})
}

// AddMissing records a required value that is absent (see FieldError.Missing).
func (e *FieldErrors) AddMissing(field, format string, args ...any) {
	*e = append(*e, FieldError{Field: field, Msg: fmt.Sprintf(format, args...), Missing: true})
}

// CheckURL checks field, an absolute http(s) URL that is required when
// required is true. A secret URL (webhooks carry their tokens) is never
// quoted. It reports whether the URL is there and well formed, for the
// checks of its parts.
func (e *FieldErrors) CheckURL(field, v string, required, secret bool) bool {
	if v == "" {
		if required {
			e.Add(field, "required")
		}
		return false
	}
	u, err := url.Parse(v)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		if secret {
			e.Add(field, "must be an absolute http or https URL")
		} else {
			e.Add(field, "must be an absolute http or https URL, got %q", v)
		}
		return false
	}
	return true
}

// CheckURLParam checks that a robot's webhook URL carries its token in the
// query parameter param, which the platform needs to know the robot. The
// message shows the expected form, never the URL.
func (e *FieldErrors) CheckURLParam(field, v, param, form string) {
	u, err := url.Parse(v)
	if err != nil || u.Query().Get(param) == "" {
		e.Add(field, "has no %s parameter (copy the whole webhook address from the robot's settings: %s)", param, form)
	}
}

// CheckHeaders checks custom HTTP headers (names, values, duplicates)
// as prometheus.headers are checked; field is their path in the section.
func (e *FieldErrors) CheckHeaders(field string, h map[string]Secret) {
	for _, p := range headerProblems(h, false, nil) {
		e.Add(joinPath(field, p.name), "%s", p.msg)
	}
}

// CheckBotToken checks that a Telegram bot token can be put in a URL
// path, as the Bot API wants it; the message never shows the token.
func (e *FieldErrors) CheckBotToken(field string, token Secret) {
	if msg := botTokenProblem(token); msg != "" {
		e.Add(field, "%s", msg)
	}
}

// CheckBotURLs checks a Telegram bot's api_url and proxy_url under
// prefix; empty values are allowed because a channel's overrides are
// optional.
func (e *FieldErrors) CheckBotURLs(prefix, apiURL, proxyURL string) {
	if apiURL != "" {
		if err := checkHTTPURL(apiURL); err != nil {
			e.Add(joinPath(prefix, "api_url"), "%v", err)
		}
	}
	if proxyURL != "" {
		if err := checkProxyURL(proxyURL); err != nil {
			e.Add(joinPath(prefix, "proxy_url"), "%v", err)
		}
	}
}

// botTokenProblem says what keeps token out of a URL path, "" if nothing.
func botTokenProblem(token Secret) string {
	if strings.ContainsAny(string(token), "/?#% \t\r\n") {
		return "contains characters that cannot be in a URL path (want the token as BotFather gives it)"
	}
	return ""
}

// platformNames lists the names of ps, for "want one of".
func platformNames(ps []Platform) string {
	names := make([]string, len(ps))
	for i, p := range ps {
		names[i] = p.Name
	}
	return strings.Join(names, ", ")
}

// findPlatform returns the platform called name.
func (l *loader) findPlatform(name string) (Platform, bool) {
	for _, p := range l.platforms {
		if p.Name == name {
			return p, true
		}
	}
	return Platform{}, false
}

// decodeSection decodes the platform section n of the channel at path
// field into a new section with the platform's defaults. The walker fills
// it as it fills the rest of the file (a Section's own UnmarshalYAML, if
// it has one for other uses, is not called).
func (l *loader) decodeSection(p Platform, n *yaml.Node, field string) Section {
	if n.Kind == yaml.AliasNode {
		if l.aliases[n] {
			l.fail(field, n.Line, "alias *"+n.Value+" refers to itself")
			return nil
		}
		l.aliases[n] = true
		defer delete(l.aliases, n)
		n = n.Alias
	}
	s := p.New()
	v := reflect.ValueOf(s)
	if v.Kind() != reflect.Pointer || v.Elem().Kind() != reflect.Struct {
		panic("config: platform " + p.Name + ": New must return a pointer to a struct")
	}
	l.mapping(n, v.Elem(), field)
	return s
}

// setSection records the section of platform name decoded for the channel
// at path; assignSections picks the channel's platform once the file is
// decoded.
func (l *loader) setSection(path, name string, s Section) {
	if l.sections[path] == nil {
		l.sections[path] = map[string]Section{}
	}
	l.sections[path][name] = s
}

// assignSections gives every channel its platform and section: the first
// set, in the order of the list, as the one a channel with two (an error)
// is said to use.
func (l *loader) assignSections(c *Config) {
	for i := range c.Channels {
		ch := &c.Channels[i]
		p := channelPath(i)
		var set []string
		for _, pl := range l.platforms {
			if s, ok := l.sections[p][pl.Name]; ok && s != nil {
				set = append(set, pl.Name)
				if ch.Section == nil {
					ch.Platform, ch.Section = pl.Name, s
				}
			}
		}
		l.platformsSet[p] = set
	}
}

// checkSection reports the problems of the channel's section. An error is
// left out when the field (or its *_file twin) already failed to decode or
// read, when it is a missing value in a section holding an unknown key, or
// when it is about the section as a whole and one of its fields failed:
// each mistake is reported once, by the error that explains it.
func (l *loader) checkSection(c *Config, p string, ch *ChannelConfig) {
	sp := joinPath(p, ch.Platform)
	if ch.Section == nil || l.hasFailed(sp) {
		return
	}
	errs := ch.Section.Validate()
	if cv, ok := ch.Section.(ConfigValidator); ok && len(l.failed) == 0 {
		errs = append(errs, cv.ValidateConfig(c, ch)...)
	}
	for _, e := range errs {
		field := sp
		if e.Field != "" {
			field = sp + "." + e.Field
		}
		switch {
		case l.hasFailed(field) || l.failed[field+"_file"]:
		case e.Missing && l.unknown[parentOrSelf(field, e.Field)]:
		case e.Field == "" && l.failedUnder(sp):
		default:
			l.fieldErrorf(field, "%s", e.Msg)
		}
	}
}

// parentOrSelf is the mapping that holds field: its parent, or the section
// itself for an error on the section.
func parentOrSelf(field, rel string) string {
	if rel == "" {
		return field
	}
	return parentPath(field)
}

// failedUnder reports whether a field below path failed to decode.
func (l *loader) failedUnder(path string) bool {
	for f := range l.failed {
		if strings.HasPrefix(f, path+".") || strings.HasPrefix(f, path+"[") {
			return true
		}
	}
	return false
}
