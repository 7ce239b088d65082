package fakemarkdown

import (
	"net/url"
	"slices"
	"strings"
)

// Text returns the elements of a plain text message, which a client shows
// as text except for what it links and highlights by itself: "<@userid>"
// mentions, "@all" and the like, and bare URLs. WeCom's text messages are
// read so.
func Text(text string) []Element {
	var out []Element
	for _, m := range mention.FindAllStringSubmatch(text, -1) {
		out = append(out, Element{Kind: "mention", Text: m[0], Target: m[1]})
	}
	out = append(out, atMentions(text)...)
	for _, u := range bareURL.FindAllString(text, -1) {
		// Clients end a bare URL before the brackets that close the
		// markdown or text around it.
		u = strings.TrimRight(u, ")]>")
		out = append(out, Element{Kind: "link", Text: u, Target: u})
	}
	return out
}

// OfKind returns the elements of es of kind, in order.
func OfKind(es []Element, kind string) []Element {
	var out []Element
	for _, e := range es {
		if e.Kind == kind {
			out = append(out, e)
		}
	}
	return out
}

// Formatting returns the elements of es that are neither a link, an image
// nor a mention.
func Formatting(es []Element) []Element {
	var out []Element
	for _, e := range es {
		if e.Kind != "link" && e.Kind != "image" && e.Kind != "mention" {
			out = append(out, e)
		}
	}
	return out
}

// Targets are where the links and images of es lead, in order.
func Targets(es []Element) []string {
	var out []string
	for _, e := range es {
		if e.Kind == "link" || e.Kind == "image" {
			out = append(out, e.Target)
		}
	}
	return out
}

// Shape is what a reader sees of es apart from their words, sorted: the
// kind of every element, where each link and image goes (scheme and host:
// a label value may rightly sit in a URL's path or query, escaped) and
// whom each mention calls. Two messages that differ only in the values
// they print have the same shape when the values stayed data.
func Shape(es []Element) []string {
	var out []string
	for _, e := range es {
		switch e.Kind {
		case "link", "image":
			host := e.Target
			if u, err := url.Parse(e.Target); err == nil {
				host = u.Scheme + "://" + u.Host
			}
			out = append(out, e.Kind+" "+host)
		case "mention":
			out = append(out, "mention "+e.Target)
		default:
			out = append(out, e.Kind)
		}
	}
	slices.Sort(out)
	return out
}
