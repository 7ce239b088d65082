package discord

import goembed "embed"

// FS holds the default templates of the platform (discord.tmpl), for
// template.New(files, logger, discord.FS).
//
//go:embed discord.tmpl
var FS goembed.FS
