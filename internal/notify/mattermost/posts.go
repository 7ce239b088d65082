package mattermost

import (
	"strings"
)

// buildPosts cuts c into the payloads of its posts. The first post has
// everything: the title and its link, the fields, the chart, the card and
// the start of the text; each further post continues the text under the
// same colour, its title saying which part it is. Each text is at most
// cfg.MaxPostSize runes.
func (n *Notifier) buildPosts(c *content) []*payload {
	chunks := split(c.text, n.cfg.MaxPostSize)
	if len(chunks) > maxParts {
		rest := strings.Join(chunks[maxParts-1:], "\n\n")
		chunks = append(chunks[:maxParts-1], shorten(rest, n.cfg.MaxPostSize))
	}
	if len(chunks) == 0 {
		chunks = []string{""}
	}
	posts := make([]*payload, len(chunks))
	for i, text := range chunks {
		a := attachment{Fallback: c.fallback, Color: c.color, Title: c.title, Text: text}
		if a.Fallback == "" {
			a.Fallback = "Alert"
		}
		if len(chunks) > 1 {
			a.Title = partTitle(c.title, i, len(chunks))
			a.Fallback = partTitle(a.Fallback, i, len(chunks))
		}
		p := n.identity()
		if i == 0 {
			if a.Title != "" {
				a.TitleLink = c.titleLink
			}
			a.Fields, a.ImageURL = c.fields, c.image
			if c.card != "" {
				p.Props = &props{Card: c.card}
			}
		}
		p.Attachments = []attachment{a}
		posts[i] = p
	}
	return posts
}

// identity is a payload with the channel's overrides.
func (n *Notifier) identity() *payload {
	return &payload{Channel: n.cfg.Channel, Username: n.cfg.Username, IconURL: n.cfg.IconURL, IconEmoji: n.cfg.IconEmoji}
}
