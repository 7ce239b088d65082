package dingtalk

import "embed"

// FS holds the default templates of the platform (dingtalk.tmpl), for
// template.New(files, logger, dingtalk.FS).
//
//go:embed dingtalk.tmpl
var FS embed.FS
