package faketelegram

import (
	"bytes"
	"encoding/json"
	"net/url"
	"slices"
	"strconv"
	"unicode/utf8"
)

// Button is a button of an inline keyboard the fake accepted: the kinds
// Herald sends, a callback button or a URL button.
type Button struct {
	Text         string
	CallbackData string
	URL          string
}

// Keyboard is an inline keyboard the fake accepted, rows of buttons; nil
// is a message without one.
type Keyboard [][]Button

// Find returns the first button labelled text.
func (k Keyboard) Find(text string) (Button, bool) {
	for _, row := range k {
		for _, b := range row {
			if b.Text == text {
				return b, true
			}
		}
	}
	return Button{}, false
}

// Buttons returns the labels of the buttons, row by row.
func (k Keyboard) Buttons() [][]string {
	out := make([][]string, len(k))
	for i, row := range k {
		for _, b := range row {
			out[i] = append(out[i], b.Text)
		}
	}
	return out
}

func (k Keyboard) clone() Keyboard {
	if k == nil {
		return nil
	}
	out := make(Keyboard, len(k))
	for i, row := range k {
		out[i] = slices.Clone(row)
	}
	return out
}

// equal reports whether two keyboards look and act the same to a user.
func (k Keyboard) equal(o Keyboard) bool {
	return slices.EqualFunc(k, o, func(a, b []Button) bool { return slices.Equal(a, b) })
}

// result is the keyboard as the Bot API returns it in a Message.
func (k Keyboard) result() map[string]any {
	rows := make([][]map[string]any, len(k))
	for i, row := range k {
		for _, b := range row {
			o := map[string]any{"text": b.Text}
			if b.CallbackData != "" {
				o["callback_data"] = b.CallbackData
			} else {
				o["url"] = b.URL
			}
			rows[i] = append(rows[i], o)
		}
	}
	return map[string]any{"inline_keyboard": rows}
}

// Limits of an InlineKeyboardButton
// (https://core.telegram.org/bots/api#inlinekeyboardbutton).
const (
	// MaxCallbackData is the most bytes of callback_data: "1-64 bytes".
	MaxCallbackData = 64
	// maxButtons is the most buttons the fake takes under one message;
	// Telegram's clients show no more than that in practice.
	maxButtons = 100
)

// buttonKinds are the optional fields of InlineKeyboardButton, exactly one
// of which a button must have: "Exactly one of the optional fields must be
// used to specify type of the button."
var buttonKinds = []string{"url", "callback_data", "web_app", "login_url", "switch_inline_query",
	"switch_inline_query_current_chat", "switch_inline_query_chosen_chat", "copy_text", "callback_game", "pay"}

// keyboard reads reply_markup: absent is no keyboard. Only inline
// keyboards of callback and URL buttons are accepted, strictly: a field
// Telegram does not know, a field present but null or empty (a struct
// without omitempty), or a second kind on one button fails the request
// with Telegram's words where Telegram has them, so that Herald's button
// type cannot drift from what Telegram takes.
func keyboard(p *params) (Keyboard, *apiError) {
	raw, ok := p.values["reply_markup"]
	if !ok || raw == "" {
		return nil, nil
	}
	var markup map[string]json.RawMessage
	if err := json.Unmarshal([]byte(raw), &markup); err != nil {
		return nil, badRequest("can't parse reply keyboard markup JSON object")
	}
	rowsRaw, ok := markup["inline_keyboard"]
	if !ok || len(markup) != 1 {
		return nil, badRequest("the fake supports only reply_markup with inline_keyboard alone (Herald sends no reply keyboards)")
	}
	var rows [][]json.RawMessage
	if err := json.Unmarshal(rowsRaw, &rows); err != nil {
		return nil, badRequest("can't parse inline keyboard: field \"inline_keyboard\" must be an Array of Arrays")
	}
	var kb Keyboard
	n := 0
	for _, row := range rows {
		var out []Button
		for _, b := range row {
			btn, err := button(b)
			if err != nil {
				return nil, err
			}
			out = append(out, btn)
			n++
		}
		kb = append(kb, out)
	}
	if n > maxButtons {
		return nil, badRequest("reply markup is too long")
	}
	if kb == nil {
		kb = Keyboard{}
	}
	return kb, nil
}

// button reads and checks one InlineKeyboardButton.
func button(raw json.RawMessage) (Button, *apiError) {
	var fields map[string]json.RawMessage
	if err := json.Unmarshal(raw, &fields); err != nil || fields == nil {
		return Button{}, badRequest("can't parse inline keyboard button: InlineKeyboardButton should be an Object")
	}
	for k := range fields {
		if k != "text" && !slices.Contains(buttonKinds, k) {
			return Button{}, badRequest("can't parse inline keyboard button: unknown field " + strconv.Quote(k) + " (a fake's check: Telegram ignores it)")
		}
	}
	var b Button
	if err := json.Unmarshal(fields["text"], &b.Text); err != nil {
		return Button{}, badRequest("can't parse inline keyboard button: Field \"text\" must be of type String")
	}
	if b.Text == "" {
		return Button{}, badRequest("can't parse inline keyboard button: the text is empty (the fake's wording)")
	}
	var kinds []string
	for _, k := range buttonKinds {
		if _, ok := fields[k]; ok {
			kinds = append(kinds, k)
		}
	}
	switch len(kinds) {
	case 0:
		return Button{}, badRequest("can't parse inline keyboard button: Text buttons are unallowed in the inline keyboard")
	case 1:
	default:
		return Button{}, badRequest("can't parse inline keyboard button: exactly one of " + kinds[0] + " and " + kinds[1] + " may be set (a field present as null or {} counts)")
	}
	v := fields[kinds[0]]
	switch kinds[0] {
	case "callback_data":
		if err := json.Unmarshal(v, &b.CallbackData); err != nil || bytes.Equal(v, []byte("null")) {
			return Button{}, badRequest("can't parse inline keyboard button: Field \"callback_data\" must be of type String")
		}
		if n := len(b.CallbackData); n < 1 || n > MaxCallbackData || !utf8.ValidString(b.CallbackData) {
			return Button{}, badRequest("BUTTON_DATA_INVALID")
		}
	case "url":
		if err := json.Unmarshal(v, &b.URL); err != nil || bytes.Equal(v, []byte("null")) {
			return Button{}, badRequest("can't parse inline keyboard button: Field \"url\" must be of type String")
		}
		u, err := url.Parse(b.URL)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https" && u.Scheme != "tg") || (u.Scheme != "tg" && u.Host == "") {
			return Button{}, badRequest("BUTTON_URL_INVALID")
		}
	case "copy_text":
		var ct struct {
			Text string `json:"text"`
		}
		if err := json.Unmarshal(v, &ct); err != nil || ct.Text == "" || utf8.RuneCountInString(ct.Text) > 256 {
			return Button{}, badRequest("can't parse inline keyboard button: Field \"copy_text\" must be a CopyTextButton with a text of 1-256 characters")
		}
		return Button{}, badRequest("the fake supports only callback_data and url buttons (Herald sends no copy_text)")
	default:
		return Button{}, badRequest("the fake supports only callback_data and url buttons, not " + kinds[0])
	}
	return b, nil
}
