package template

// TelegramData is d for Telegram's HTML parse mode: html/template already
// escapes every value, so what is left is what Telegram finds in plain
// text by itself, bare URLs and @mentions, which TelegramText breaks.
func TelegramData(d *Data) *Escaped { return neutralise(d, TelegramText, false) }

// TelegramText keeps a value from becoming a url or mention entity: a
// zero-width space after "scheme:" and a leading "www", and after an "@"
// that starts a word (see BreakAutolinks, BreakMentions).
func TelegramText(s string) string { return BreakAutolinks(BreakMentions(s)) }

// ExecuteHTML is Execute in html/template mode (Telegram's HTML): the
// silence links it mends hold no character that HTML escaping changes.
func (e *Escaped) ExecuteHTML(t *Templates, text, fallback string) string {
	return e.Mend(t.Execute(text, fallback, e.Data, true))
}
