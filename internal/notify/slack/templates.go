package slack

import "embed"

// FS holds the default templates of the platform (slack.tmpl), for
// template.New(files, logger, slack.FS).
//
//go:embed slack.tmpl
var FS embed.FS
