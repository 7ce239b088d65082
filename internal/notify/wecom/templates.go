package wecom

import "embed"

// FS holds the default templates of the platform (wecom.tmpl), for
// template.New(files, logger, wecom.FS).
//
//go:embed wecom.tmpl
var FS embed.FS
