package docker

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"
)

// MaxAPIVersion is the newest Engine API version Herald asks for: the
// newest whose answers to the few calls it makes were checked. An engine
// that speaks an older one is asked in its own version; one that speaks a
// newer one in this (engines keep answering older clients down to their
// minimum, 1.44 for Docker 29).
const MaxAPIVersion = "1.47"

// fallbackAPIVersion is what an engine that sends no API-Version header
// on /_ping is taken to speak, as the docker CLI does.
const fallbackAPIVersion = "1.24"

// oneShotVersion is the first API version whose stats take one-shot=true
// (one sample, no wait for a second one).
const oneShotVersion = "1.41"

// Answer size limits: a list of thousands of containers stays far below
// maxListBody, a stats or inspect answer below maxObjectBody; past them the
// host is reported down rather than Herald's memory spent.
const (
	maxListBody   = 32 << 20
	maxObjectBody = 4 << 20
	maxErrorText  = 200
)

// errNotFound is the engine's 404: the container went away between the
// list and the next call.
var errNotFound = errors.New("not found")

// apiError is an answer other than 200 from the engine.
type apiError struct {
	Status  int
	Message string
}

func (e *apiError) Error() string {
	if e.Message == "" {
		return "engine answered " + strconv.Itoa(e.Status)
	}
	return fmt.Sprintf("engine answered %d: %s", e.Status, e.Message)
}

// engine is the Engine API of one host.
type engine struct {
	httpc *http.Client
	// base is the scheme and host of every request: http://docker for a
	// socket (the host part is not used), https://host:port for tcp.
	base string
}

// negotiate asks the engine for its API version and returns the one to
// use: the engine's, or MaxAPIVersion when the engine's is newer. Using
// the engine's (rather than a fixed old one) keeps working with engines
// that refuse old clients.
func (e *engine) negotiate(ctx context.Context) (string, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, e.base+"/_ping", nil)
	if err != nil {
		return "", err
	}
	resp, err := e.httpc.Do(req)
	if err != nil {
		return "", fmt.Errorf("GET /_ping: %w", err)
	}
	defer resp.Body.Close()
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 1<<10))
	if resp.StatusCode != http.StatusOK {
		return "", fmt.Errorf("GET /_ping: %w", &apiError{Status: resp.StatusCode})
	}
	v := resp.Header.Get("Api-Version")
	if v == "" {
		return fallbackAPIVersion, nil
	}
	if _, _, ok := parseVersion(v); !ok {
		return "", fmt.Errorf("GET /_ping: bad API-Version %q", cleanText(v, 20))
	}
	if versionLess(MaxAPIVersion, v) {
		return MaxAPIVersion, nil
	}
	return v, nil
}

// get decodes the JSON answer of GET /v<version><path> into out.
func (e *engine) get(ctx context.Context, version, path string, limit int64, out any) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, e.base+"/v"+version+path, nil)
	if err != nil {
		return err
	}
	name := "GET " + strings.SplitN(path, "?", 2)[0]
	resp, err := e.httpc.Do(req)
	if err != nil {
		return fmt.Errorf("%s: %w", name, err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, limit+1))
	if err != nil {
		return fmt.Errorf("%s: reading the answer: %w", name, err)
	}
	switch {
	case resp.StatusCode == http.StatusNotFound:
		return fmt.Errorf("%s: %w", name, errNotFound)
	case resp.StatusCode != http.StatusOK:
		var m struct {
			Message string `json:"message"`
		}
		_ = json.Unmarshal(body, &m)
		return fmt.Errorf("%s: %w", name, &apiError{Status: resp.StatusCode, Message: cleanText(m.Message, maxErrorText)})
	case int64(len(body)) > limit:
		return fmt.Errorf("%s: answer larger than %d bytes", name, limit)
	}
	if err := json.Unmarshal(body, out); err != nil {
		return fmt.Errorf("%s: bad answer: %w", name, err)
	}
	return nil
}

// parseVersion reads an API version, "1.41".
func parseVersion(v string) (major, minor int, ok bool) {
	a, b, found := strings.Cut(v, ".")
	if !found {
		return 0, 0, false
	}
	major, err1 := strconv.Atoi(a)
	minor, err2 := strconv.Atoi(b)
	return major, minor, err1 == nil && err2 == nil && major >= 0 && minor >= 0
}

// versionLess says whether API version a is older than b; both parse.
func versionLess(a, b string) bool {
	am, an, _ := parseVersion(a)
	bm, bn, _ := parseVersion(b)
	return am < bm || am == bm && an < bn
}

// cleanText makes outside text (an engine's error message) safe to show:
// control characters become spaces and it is cut at n bytes.
func cleanText(s string, n int) string {
	s = strings.Map(func(r rune) rune {
		if r == utf8.RuneError || unicode.IsControl(r) || unicode.Is(unicode.Bidi_Control, r) {
			return ' '
		}
		return r
	}, s)
	if len(s) <= n {
		return s
	}
	cut := n
	for cut > 0 && !utf8.RuneStart(s[cut]) {
		cut--
	}
	return s[:cut] + "…"
}
