package grafana

import (
	"bytes"
	"encoding/json"
	"mime"
	"strings"
	"unicode/utf8"

	"golang.org/x/net/html"
)

// maxErrorBody bounds what of an error answer goes into an error.
const maxErrorBody = 200

// noRendererTexts are what Grafana and the tools around it say when there
// is no image renderer, lower case: rendering.ErrRenderUnavailable
// ("rendering plugin not available"), rendering/v2's
// ErrRenderingUnavailable ("rendering unavailable"), the log line and
// placeholder ("No image renderer found/installed", "No image renderer
// available/installed") and the wording of proxies and Grafana's own
// tools ("No image renderer available/configured", "image renderer not
// available").
var noRendererTexts = []string{
	"no image renderer",
	"rendering plugin not available",
	"rendering unavailable",
	"image renderer not available",
	"renderer plugin not installed",
}

// saysNoRenderer reports whether an error answer says that Grafana has no
// image renderer. In production Grafana 13 answers only "Rendering
// failed." (the cause stays in its log), so a false here proves nothing.
func saysNoRenderer(body []byte) bool {
	s := strings.ToLower(string(body))
	for _, t := range noRendererTexts {
		if strings.Contains(s, t) {
			return true
		}
	}
	return false
}

// grafanaMessage is the "message" of Grafana's JSON error answer, "" when
// body is not one.
func grafanaMessage(body []byte) string {
	var e struct {
		Message string `json:"message"`
	}
	if json.Unmarshal(body, &e) != nil {
		return ""
	}
	return e.Message
}

// readable is what an operator can read of an answer: the visible text of
// an HTML page (Grafana's error page is mostly a style sheet), or its title
// when it shows none (a single-page app); the body itself otherwise.
func readable(contentType string, body []byte) []byte {
	mt, _, _ := mime.ParseMediaType(contentType)
	start := bytes.ToLower(bytes.TrimSpace(body[:min(len(body), 512)]))
	if mt != "text/html" && !bytes.HasPrefix(start, []byte("<!doctype html")) && !bytes.HasPrefix(start, []byte("<html")) {
		return body
	}
	var text, title []byte
	z := html.NewTokenizer(bytes.NewReader(body))
	hidden, inTitle := 0, false // inside <head>, <style> or <script>; inside <title>
	for {
		tt := z.Next()
		name, _ := z.TagName()
		switch tt {
		case html.ErrorToken:
			if len(bytes.TrimSpace(text)) == 0 {
				return title
			}
			return text
		case html.StartTagToken, html.EndTagToken:
			step := 1
			if tt == html.EndTagToken {
				step = -1
			}
			switch string(name) {
			case "head", "style", "script":
				hidden = max(0, hidden+step)
			case "title":
				inTitle = step > 0
			}
		case html.TextToken:
			switch {
			case inTitle:
				title = append(append(title, ' '), z.Text()...)
			case hidden == 0:
				text = append(append(text, ' '), z.Text()...)
			}
		}
	}
}

// quote is the start of body as one line, or "" for a binary body.
func quote(body []byte) string {
	s := strings.Join(strings.Fields(string(body)), " ")
	if !utf8.ValidString(s) {
		return ""
	}
	if len(s) > maxErrorBody {
		cut := maxErrorBody
		for cut > 0 && !utf8.RuneStart(s[cut]) {
			cut--
		}
		s = s[:cut] + "…"
	}
	return s
}
