package mattermost

import "embed"

// FS holds the default templates of Mattermost (mattermost.tmpl), for
// template.New(files, logger, mattermost.FS).
//
//go:embed mattermost.tmpl
var FS embed.FS

// The default templates. A channel's `title` and `message` replace
// TitleTemplate and DefaultMessage; the card is changed by redefining
// mattermost.herald.card in a template file, as in Alertmanager.
const (
	// TitleTemplate renders the attachment's title: one line.
	TitleTemplate = `{{ template "mattermost.herald.title" . }}`
	// DefaultMessage renders the attachment's text: Mattermost Markdown.
	DefaultMessage = `{{ template "mattermost.herald.message" . }}`
	// CardTemplate renders props.card: Mattermost Markdown.
	CardTemplate = `{{ template "mattermost.herald.card" . }}`
)
