package fakeslack

import (
	"encoding/json"
	"fmt"
	"net/url"
	"strings"
	"unicode/utf16"
	"unicode/utf8"
)

// Block Kit limits the fake enforces (see internal/notify/slack/limits.go
// for their sources). Lengths are counted in UTF-16 code units, the
// stricter reading of Slack's "characters".
const (
	MaxBlocks          = 50
	MaxSectionText     = 3000
	MaxSectionFields   = 10
	MaxFieldText       = 2000
	MaxHeaderText      = 150
	MaxContextElements = 10
	MaxActionElements  = 25
	MaxButtonText      = 75
	MaxButtonURL       = 3000
	MaxImageURL        = 3000
	MaxAltText         = 2000
	MaxTextObject      = 3000
	MaxBlockID         = 255
	MaxMessageText     = 40000
)

// knownBlocks are the layout block types Slack has; the ones Herald sends
// are checked field by field, the others only for their type.
var knownBlocks = map[string]bool{
	"actions": true, "context": true, "context_actions": true, "divider": true, "file": true, "header": true,
	"image": true, "input": true, "markdown": true, "rich_text": true, "section": true, "table": true, "video": true,
}

// units is a text's length as the fake counts it: UTF-16 code units.
func units(s string) int {
	n := 0
	for _, r := range s {
		n += max(utf16.RuneLen(r), 1)
	}
	return n
}

// checker collects the problems of one message, worded like Slack's
// response_metadata.messages.
type checker struct {
	problems  []string
	blockIDs  map[string]bool
	actionIDs map[string]bool
	m         *Message
}

func (c *checker) errorf(ptr, format string, args ...any) {
	c.problems = append(c.problems, fmt.Sprintf("[ERROR] "+format+" [json-pointer:%s]", append(args, ptr)...))
}

// parseMessage checks text and blocks the way Slack does and returns the
// message a reader would see, or the problems that make Slack answer
// invalid_blocks.
func parseMessage(text string, raw json.RawMessage) (*Message, []string) {
	m := &Message{Text: text, Blocks: append(json.RawMessage(nil), raw...)}
	m.Mentions, m.Links = mentions(text), links(text)
	// The top-level text is mrkdwn that is never verbatim.
	autoLinks, autoMentions := autoParsed(text)
	m.Links, m.Mentions = append(m.Links, autoLinks...), append(m.Mentions, autoMentions...)
	if len(raw) == 0 {
		m.Plain = render(text)
		return m, nil
	}
	var blocks []map[string]any
	if err := json.Unmarshal(raw, &blocks); err != nil {
		return nil, []string{"[ERROR] blocks must be an array of objects [json-pointer:/blocks]"}
	}
	c := &checker{blockIDs: map[string]bool{}, actionIDs: map[string]bool{}, m: m}
	if len(blocks) > MaxBlocks {
		c.errorf("/blocks", "no more than %d items allowed", MaxBlocks)
	}
	for i, b := range blocks {
		c.block(fmt.Sprintf("/blocks/%d", i), b)
	}
	if len(c.problems) > 0 {
		return nil, c.problems
	}
	var lines []string
	if m.Header != "" {
		lines = append(lines, m.Header)
	}
	for _, s := range m.Sections {
		lines = append(lines, render(s))
	}
	for _, s := range m.Context {
		lines = append(lines, render(s))
	}
	m.Plain = strings.Join(lines, "\n")
	return m, nil
}

// block checks one layout block and records what it shows.
func (c *checker) block(ptr string, b map[string]any) {
	typ, _ := b["type"].(string)
	if !knownBlocks[typ] {
		c.errorf(ptr+"/type", "unsupported type: %q", typ)
		return
	}
	if id, ok := b["block_id"].(string); ok {
		if units(id) > MaxBlockID || c.blockIDs[id] {
			c.errorf(ptr+"/block_id", "block_id must be unique and at most %d characters", MaxBlockID)
		}
		c.blockIDs[id] = true
	}
	switch typ {
	case "header":
		if t, ok := c.text(ptr+"/text", b["text"], MaxHeaderText, true); ok {
			c.m.Header = t
		}
	case "section":
		c.section(ptr, b)
	case "context":
		els := c.list(ptr+"/elements", b["elements"], MaxContextElements)
		for i, e := range els {
			c.contextElement(fmt.Sprintf("%s/elements/%d", ptr, i), e)
		}
	case "actions":
		els := c.list(ptr+"/elements", b["elements"], MaxActionElements)
		for i, e := range els {
			c.button(fmt.Sprintf("%s/elements/%d", ptr, i), e)
		}
	case "image":
		c.image(ptr, b)
	}
}

func (c *checker) section(ptr string, b map[string]any) {
	_, hasText := b["text"]
	fields, hasFields := b["fields"]
	if !hasText && !hasFields {
		c.errorf(ptr, "must provide text or fields")
		return
	}
	if hasText {
		if t, ok := c.text(ptr+"/text", b["text"], MaxSectionText, false); ok {
			c.m.Sections = append(c.m.Sections, t)
		}
	}
	if !hasFields {
		return
	}
	for i, f := range c.list(ptr+"/fields", fields, MaxSectionFields) {
		if t, ok := c.text(fmt.Sprintf("%s/fields/%d", ptr, i), f, MaxFieldText, false); ok {
			c.m.Sections = append(c.m.Sections, t)
		}
	}
}

func (c *checker) contextElement(ptr string, e any) {
	obj, _ := e.(map[string]any)
	if obj["type"] == "image" {
		c.imageURL(ptr+"/image_url", obj["image_url"])
		c.altText(ptr+"/alt_text", obj["alt_text"])
		return
	}
	if t, ok := c.text(ptr, e, MaxTextObject, false); ok {
		c.m.Context = append(c.m.Context, t)
	}
}

func (c *checker) button(ptr string, e any) {
	obj, _ := e.(map[string]any)
	if obj["type"] != "button" {
		return // other interactive elements are not checked
	}
	label, ok := c.text(ptr+"/text", obj["text"], MaxButtonText, true)
	b := Button{Text: label}
	if u, set := obj["url"]; set {
		s, _ := u.(string)
		if !absoluteURL(s) || units(s) > MaxButtonURL {
			c.errorf(ptr+"/url", "must be a valid absolute URL of at most %d characters", MaxButtonURL)
			ok = false
		}
		b.URL = s
	}
	if id, set := obj["action_id"].(string); set {
		if c.actionIDs[id] || units(id) > 255 {
			c.errorf(ptr+"/action_id", "action_id must be unique in the message")
		}
		c.actionIDs[id] = true
	}
	if ok {
		c.m.Buttons = append(c.m.Buttons, b)
	}
}

func (c *checker) image(ptr string, b map[string]any) {
	img := Image{}
	if _, ok := b["slack_file"]; !ok {
		img.URL, _ = b["image_url"].(string)
		c.imageURL(ptr+"/image_url", b["image_url"])
	}
	img.Alt, _ = b["alt_text"].(string)
	c.altText(ptr+"/alt_text", b["alt_text"])
	if t, ok := b["title"]; ok {
		img.Title, _ = c.text(ptr+"/title", t, MaxAltText, true)
	}
	c.m.Images = append(c.m.Images, img)
}

func (c *checker) imageURL(ptr string, v any) {
	s, _ := v.(string)
	if !absoluteURL(s) || units(s) > MaxImageURL {
		c.errorf(ptr, "must be a valid absolute URL of at most %d characters", MaxImageURL)
	}
}

func (c *checker) altText(ptr string, v any) {
	s, _ := v.(string)
	if strings.TrimSpace(s) == "" || units(s) > MaxAltText {
		c.errorf(ptr, "must be between 1 and %d characters", MaxAltText)
	}
}

// text checks a text object and returns its text.
func (c *checker) text(ptr string, v any, limit int, plainOnly bool) (string, bool) {
	obj, ok := v.(map[string]any)
	if !ok {
		c.errorf(ptr, "must be a text object")
		return "", false
	}
	typ, _ := obj["type"].(string)
	text, isString := obj["text"].(string)
	_, emoji := obj["emoji"]
	switch {
	case typ != "plain_text" && typ != "mrkdwn":
		c.errorf(ptr+"/type", "must be plain_text or mrkdwn")
	case plainOnly && typ != "plain_text":
		c.errorf(ptr+"/type", "must be plain_text")
	case typ == "mrkdwn" && emoji:
		c.errorf(ptr+"/emoji", "emoji is only allowed with plain_text")
	case !isString || strings.TrimSpace(text) == "":
		c.errorf(ptr+"/text", "must be more than 0 characters")
	case !utf8.ValidString(text):
		c.errorf(ptr+"/text", "must be valid UTF-8")
	case units(text) > limit:
		c.errorf(ptr+"/text", "must be less than %d characters", limit+1)
	default:
		if typ == "mrkdwn" {
			c.m.Mentions = append(c.m.Mentions, mentions(text)...)
			c.m.Links = append(c.m.Links, links(text)...)
			c.m.Formats = append(c.m.Formats, formats(text)...)
			if verbatim, _ := obj["verbatim"].(bool); !verbatim {
				l, m := autoParsed(text)
				c.m.Links, c.m.Mentions = append(c.m.Links, l...), append(c.m.Mentions, m...)
			}
		}
		return text, true
	}
	return "", false
}

// list checks an array of 1 to limit items.
func (c *checker) list(ptr string, v any, limit int) []any {
	items, ok := v.([]any)
	switch {
	case !ok || len(items) == 0:
		c.errorf(ptr, "must be a non-empty array")
	case len(items) > limit:
		c.errorf(ptr, "no more than %d items allowed", limit)
	}
	return items
}

// absoluteURL reports whether s is an absolute http(s) URL.
func absoluteURL(s string) bool {
	u, err := url.Parse(s)
	return err == nil && (u.Scheme == "http" || u.Scheme == "https") && u.Host != ""
}

// CheckBlocks returns the problems Slack would find in a message's blocks
// (the details of an invalid_blocks answer), or nil when they are valid.
func CheckBlocks(blocks json.RawMessage) []string {
	_, problems := parseMessage("", blocks)
	return problems
}
