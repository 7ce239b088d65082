package faketeams

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"unicode/utf8"
)

// cardContentType is the attachment content type of an Adaptive Card.
const cardContentType = "application/vnd.microsoft.card.adaptive"

// Card versions the fake accepts: Herald promises 1.4 or later, and Teams
// renders up to 1.5 (a later one shows the card's fallback text instead).
const (
	minMinorVersion = 4
	maxMinorVersion = 5
)

var versionRE = regexp.MustCompile(`^1\.(\d+)$`)

// parseMessage checks a post's envelope and cards and records what they
// show. Every refusal is a 400 naming the JSON path at fault.
func parseMessage(body []byte) (Message, *apiError) {
	msg := Message{Body: body}
	if !utf8.Valid(body) {
		return msg, badRequest("The request content is not valid UTF-8.")
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.UseNumber()
	var top map[string]any
	if err := dec.Decode(&top); err != nil || dec.More() {
		return msg, badRequest("The request content is not valid JSON: %v", err)
	}
	if err := only("$", top, "type", "attachments"); err != nil {
		return msg, badRequest("%v", err)
	}
	if top["type"] != "message" {
		return msg, badRequest(`$.type must be "message", got %v`, top["type"])
	}
	atts, ok := top["attachments"].([]any)
	if !ok || len(atts) == 0 {
		return msg, badRequest("$.attachments must be a non-empty array")
	}
	v := &validator{msg: &msg}
	for i, a := range atts {
		p := fmt.Sprintf("$.attachments[%d]", i)
		if err := v.attachment(p, a); err != nil {
			return msg, badRequest("%v", err)
		}
	}
	plain := make([]string, len(msg.Texts))
	for i, t := range msg.Texts {
		plain[i] = Unescape(t)
		msg.markdown(t)
	}
	for _, f := range msg.Facts {
		msg.markdown(f.Title)
		msg.markdown(f.Value)
	}
	msg.Plain = strings.Join(plain, "\n")
	return msg, nil
}

// markdown records what Teams renders in one Markdown text.
func (m *Message) markdown(s string) {
	r := parseMarkdown(s)
	m.Links = append(m.Links, r.links...)
	m.Mentions = append(m.Mentions, r.mentions...)
	m.Formats = append(m.Formats, r.formats...)
}

// validator walks the cards of a message, checking each element against
// the Adaptive Card schema and collecting what it shows into msg.
type validator struct {
	msg   *Message
	depth int
}

func (v *validator) attachment(p string, a any) error {
	att, ok := a.(map[string]any)
	if !ok {
		return fmt.Errorf("%s must be an object", p)
	}
	if err := only(p, att, "contentType", "contentUrl", "content"); err != nil {
		return err
	}
	if att["contentType"] != cardContentType {
		return fmt.Errorf("%s.contentType must be %q, got %v", p, cardContentType, att["contentType"])
	}
	if cu, present := att["contentUrl"]; !present || cu != nil {
		return fmt.Errorf("%s.contentUrl must be present and null", p)
	}
	c, ok := att["content"].(map[string]any)
	if !ok {
		return fmt.Errorf("%s.content must be an Adaptive Card object", p)
	}
	if v.msg.Card == nil {
		v.msg.Card = c
	}
	return v.card(p+".content", c, true)
}

// card checks an AdaptiveCard; top is false for the card of an
// Action.ShowCard, which has no version of its own.
func (v *validator) card(p string, c map[string]any, top bool) error {
	if err := only(p, c, "$schema", "type", "version", "body", "actions", "msteams", "fallbackText", "speak",
		"lang", "verticalContentAlignment", "minHeight", "backgroundImage", "selectAction", "rtl", "refresh",
		"authentication", "metadata"); err != nil {
		return err
	}
	if c["type"] != "AdaptiveCard" {
		return fmt.Errorf(`%s.type must be "AdaptiveCard", got %v`, p, c["type"])
	}
	if top {
		ver, _ := c["version"].(string)
		m := versionRE.FindStringSubmatch(ver)
		if m == nil {
			return fmt.Errorf("%s.version must be a version such as \"1.4\", got %v", p, c["version"])
		}
		if minor, _ := strconv.Atoi(m[1]); minor < minMinorVersion || minor > maxMinorVersion {
			return fmt.Errorf("%s.version %s is not supported (want 1.%d to 1.%d)", p, ver, minMinorVersion, maxMinorVersion)
		}
		if v.msg.Version == "" {
			v.msg.Version = ver
		}
	}
	if ms, ok := c["msteams"]; ok {
		if err := checkMSTeams(p+".msteams", ms); err != nil {
			return err
		}
	}
	body, ok := c["body"].([]any)
	if !ok || len(body) == 0 {
		return fmt.Errorf("%s.body must be a non-empty array of elements", p)
	}
	for i, e := range body {
		if err := v.element(fmt.Sprintf("%s.body[%d]", p, i), e); err != nil {
			return err
		}
		if el, _ := e.(map[string]any); top && v.msg.Style == "" && el["type"] == "Container" {
			v.msg.Style, _ = el["style"].(string)
		}
	}
	if acts, ok := c["actions"]; ok {
		if err := v.actions(p+".actions", acts); err != nil {
			return err
		}
	}
	return nil
}

func checkMSTeams(p string, ms any) error {
	m, ok := ms.(map[string]any)
	if !ok {
		return fmt.Errorf("%s must be an object", p)
	}
	if err := only(p, m, "width", "entities"); err != nil {
		return err
	}
	if w, ok := m["width"]; ok && !strings.EqualFold(fmt.Sprint(w), "Full") {
		return fmt.Errorf(`%s.width must be "Full", got %v`, p, w)
	}
	return nil
}

// element checks one element and, for containers, its items.
func (v *validator) element(p string, e any) error { return v.elementIn(p, e, false) }

// elementIn checks one element; a Column only belongs in a ColumnSet.
func (v *validator) elementIn(p string, e any, inColumnSet bool) error {
	el, ok := e.(map[string]any)
	if !ok {
		return fmt.Errorf("%s must be an object", p)
	}
	typ, _ := el["type"].(string)
	spec, ok := elements[typ]
	if !ok || (typ == "Column") != inColumnSet {
		return fmt.Errorf("%s.type %q is not an Adaptive Card element type here", p, el["type"])
	}
	if err := spec.check(p, el, commonElement); err != nil {
		return err
	}
	v.depth++
	defer func() { v.depth-- }()
	if v.depth > 8 {
		return fmt.Errorf("%s is nested too deep", p)
	}
	switch typ {
	case "TextBlock":
		v.msg.Texts = append(v.msg.Texts, el["text"].(string))
	case "Image":
		alt, _ := el["altText"].(string)
		v.msg.Images = append(v.msg.Images, Image{URL: el["url"].(string), AltText: alt})
	case "FactSet":
		return v.facts(p+".facts", el["facts"].([]any))
	case "Container", "Column":
		return v.items(p+".items", el["items"])
	case "ColumnSet":
		cols, _ := el["columns"].([]any)
		for i, c := range cols {
			cp := fmt.Sprintf("%s.columns[%d]", p, i)
			if err := v.elementIn(cp, c, true); err != nil {
				return err
			}
		}
	case "ActionSet":
		return v.actions(p+".actions", el["actions"])
	}
	return nil
}

func (v *validator) items(p string, items any) error {
	list, _ := items.([]any)
	for i, it := range list {
		if err := v.element(fmt.Sprintf("%s[%d]", p, i), it); err != nil {
			return err
		}
	}
	return nil
}

// facts checks that every fact has a title and a value, both strings.
func (v *validator) facts(p string, facts []any) error {
	if len(facts) == 0 {
		return fmt.Errorf("%s must not be empty", p)
	}
	for i, f := range facts {
		fp := fmt.Sprintf("%s[%d]", p, i)
		fm, ok := f.(map[string]any)
		if !ok {
			return fmt.Errorf("%s must be an object", fp)
		}
		if err := only(fp, fm, "title", "value"); err != nil {
			return err
		}
		title, ok1 := fm["title"].(string)
		value, ok2 := fm["value"].(string)
		if !ok1 || !ok2 {
			return fmt.Errorf("%s must have a string title and a string value", fp)
		}
		v.msg.Facts = append(v.msg.Facts, Fact{Title: title, Value: value})
	}
	return nil
}

// actions checks a list of actions.
func (v *validator) actions(p string, acts any) error {
	list, ok := acts.([]any)
	if !ok {
		return fmt.Errorf("%s must be an array of actions", p)
	}
	for i, a := range list {
		ap := fmt.Sprintf("%s[%d]", p, i)
		am, ok := a.(map[string]any)
		if !ok {
			return fmt.Errorf("%s must be an object", ap)
		}
		typ, _ := am["type"].(string)
		spec, ok := actionSpecs[typ]
		if !ok {
			return fmt.Errorf("%s.type %q is not an Adaptive Card action type", ap, am["type"])
		}
		if err := spec.check(ap, am, commonAction); err != nil {
			return err
		}
		title, _ := am["title"].(string)
		u, _ := am["url"].(string)
		v.msg.Actions = append(v.msg.Actions, Action{Type: typ, Title: title, URL: u})
		if typ == "Action.ShowCard" {
			if err := v.card(ap+".card", am["card"].(map[string]any), false); err != nil {
				return err
			}
		}
	}
	return nil
}

// only refuses properties other than the allowed ones. Teams ignores
// unknown properties; the fake refuses them, because in Herald's cards
// they can only be typos that silently lose a setting.
func only(p string, m map[string]any, allowed ...string) error {
	for k := range m {
		found := false
		for _, a := range allowed {
			if k == a {
				found = true
				break
			}
		}
		if !found {
			return fmt.Errorf("%s.%s is not a property Teams knows here", p, k)
		}
	}
	return nil
}

// absoluteHTTP reports whether s is an absolute http(s) URL.
func absoluteHTTP(s string) bool {
	u, err := url.Parse(s)
	return err == nil && (u.Scheme == "http" || u.Scheme == "https") && u.Host != ""
}
