package teams

import "embed"

// FS holds the default templates of the platform (teams.tmpl), for
// template.New(files, logger, teams.FS).
//
//go:embed teams.tmpl
var FS embed.FS
