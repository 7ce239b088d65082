package telegram

import (
	"errors"
	"fmt"
	"net/url"
	"unicode/utf16"
)

// The Bot API's objects and method parameters that Herald uses, with the
// API's field names (https://core.telegram.org/bots/api#available-types).
// Only the fields Herald reads or sets are here.

// ParseModeHTML is the only parse mode Herald uses: its templates escape
// for html/template, and HTML is the mode whose escaping rules are
// simplest.
const ParseModeHTML = "HTML"

// User is a Telegram user or bot.
type User struct {
	ID        int64  `json:"id"`
	IsBot     bool   `json:"is_bot"`
	FirstName string `json:"first_name"`
	Username  string `json:"username,omitempty"`
	// LanguageCode is the IETF tag of the user's language, for replies
	// and per-language commands.
	LanguageCode string `json:"language_code,omitempty"`
}

// Chat is the chat a message belongs to.
type Chat struct {
	ID int64 `json:"id"`
	// Type is "private", "group", "supergroup" or "channel".
	Type  string `json:"type"`
	Title string `json:"title,omitempty"`
	// Username is the chat's @username without "@", if it has one.
	Username  string `json:"username,omitempty"`
	FirstName string `json:"first_name,omitempty"`
	// IsForum is a supergroup with topics.
	IsForum bool `json:"is_forum,omitempty"`
}

// Message is the part of a Message object Herald reads. A callback
// query's message may be inaccessible (too old): then Date is 0 and only
// MessageID and Chat are set.
type Message struct {
	MessageID       int64  `json:"message_id"`
	MessageThreadID int64  `json:"message_thread_id,omitempty"`
	Chat            Chat   `json:"chat"`
	From            *User  `json:"from,omitempty"`
	Date            int64  `json:"date"`
	EditDate        int64  `json:"edit_date,omitempty"`
	Text            string `json:"text,omitempty"`
	// Entities are the commands, mentions, links and formatting of Text.
	Entities []MessageEntity `json:"entities,omitempty"`
	// Caption is a photo's text; CaptionEntities are its entities.
	Caption         string          `json:"caption,omitempty"`
	CaptionEntities []MessageEntity `json:"caption_entities,omitempty"`
	// ReplyToMessage is the message this one replies to (without its own
	// reply, which Telegram leaves out).
	ReplyToMessage *Message `json:"reply_to_message,omitempty"`
	// ReplyMarkup is the inline keyboard under the message.
	ReplyMarkup *InlineKeyboardMarkup `json:"reply_markup,omitempty"`
}

// Inaccessible reports a callback query's message that the bot can no
// longer read (Telegram's InaccessibleMessage).
func (m *Message) Inaccessible() bool { return m.Date == 0 }

// MessageEntity is a special part of a text: a bot_command ("/silence" or
// "/silence@herald_bot"), a mention, a url, formatting. Offset and Length
// count UTF-16 code units, as Telegram does.
type MessageEntity struct {
	Type   string `json:"type"`
	Offset int    `json:"offset"`
	Length int    `json:"length"`
	URL    string `json:"url,omitempty"`
	User   *User  `json:"user,omitempty"`
}

// EntityText is the part of text (a message's Text or Caption) that e
// covers, "" when e lies outside it or cuts a character in two.
func EntityText(text string, e MessageEntity) string {
	units := utf16.Encode([]rune(text))
	if e.Offset < 0 || e.Length < 0 || e.Offset > len(units) || e.Length > len(units)-e.Offset {
		return ""
	}
	end := e.Offset + e.Length
	if lowSurrogate(units, e.Offset) || lowSurrogate(units, end) {
		return ""
	}
	return string(utf16.Decode(units[e.Offset:end]))
}

// lowSurrogate reports whether units[i] is the second half of a character
// outside the BMP, where no entity starts or ends.
func lowSurrogate(units []uint16, i int) bool {
	return i < len(units) && units[i] >= 0xDC00 && units[i] <= 0xDFFF
}

// LinkPreviewOptions are a message's link preview settings. Alert texts
// link to Prometheus, Grafana and runbooks; a preview of each would bury
// the alert.
type LinkPreviewOptions struct {
	IsDisabled bool `json:"is_disabled"`
}

// ReplyParameters says what a message replies to.
// AllowSendingWithoutReply keeps a resolved message from failing when
// someone deleted the firing one.
type ReplyParameters struct {
	MessageID                int64 `json:"message_id"`
	AllowSendingWithoutReply bool  `json:"allow_sending_without_reply"`
}

// InlineKeyboardMarkup is a keyboard under a message.
type InlineKeyboardMarkup struct {
	InlineKeyboard [][]InlineKeyboardButton `json:"inline_keyboard"`
}

// InlineKeyboardButton is a button that sends a callback query or opens a
// URL. Only those two kinds are here, and every optional field is
// omitempty: an empty object such as copy_text is a button kind of its
// own, which Telegram refuses beside callback_data.
type InlineKeyboardButton struct {
	Text         string `json:"text"`
	CallbackData string `json:"callback_data,omitempty"`
	URL          string `json:"url,omitempty"`
}

// MaxCallbackData is the most bytes of a button's callback_data: "1-64
// bytes" (https://core.telegram.org/bots/api#inlinekeyboardbutton).
const MaxCallbackData = 64

// CallbackButton is a button that sends data to the bot when pressed.
func CallbackButton(text, data string) InlineKeyboardButton {
	return InlineKeyboardButton{Text: text, CallbackData: data}
}

// URLButton is a button that opens url.
func URLButton(text, url string) InlineKeyboardButton {
	return InlineKeyboardButton{Text: text, URL: url}
}

// Validate reports what Telegram would refuse in k, so that a caller can
// send the message without the keyboard rather than not at all: a button
// without text, with both or neither of callback_data and url, with
// callback_data over MaxCallbackData bytes, or a url that is not http,
// https or tg.
func (k *InlineKeyboardMarkup) Validate() error {
	for i, row := range k.InlineKeyboard {
		for j, b := range row {
			where := fmt.Sprintf("telegram: inline keyboard button [%d][%d]", i, j)
			switch {
			case b.Text == "":
				return errors.New(where + " has no text")
			case (b.CallbackData == "") == (b.URL == ""):
				return errors.New(where + " needs exactly one of callback_data and url")
			case len(b.CallbackData) > MaxCallbackData:
				return fmt.Errorf("%s: callback_data is %d bytes, over Telegram's %d", where, len(b.CallbackData), MaxCallbackData)
			case b.URL != "":
				u, err := url.Parse(b.URL)
				if err != nil || (u.Scheme != "http" && u.Scheme != "https" && u.Scheme != "tg") || (u.Scheme != "tg" && u.Host == "") {
					return errors.New(where + ": url must be an absolute http, https or tg URL")
				}
			}
		}
	}
	return nil
}

// SendMessageParams are the parameters of sendMessage.
type SendMessageParams struct {
	ChatID              string                `json:"chat_id"`
	MessageThreadID     int                   `json:"message_thread_id,omitempty"`
	Text                string                `json:"text"`
	ParseMode           string                `json:"parse_mode,omitempty"`
	LinkPreviewOptions  *LinkPreviewOptions   `json:"link_preview_options,omitempty"`
	DisableNotification bool                  `json:"disable_notification,omitempty"`
	ReplyParameters     *ReplyParameters      `json:"reply_parameters,omitempty"`
	ReplyMarkup         *InlineKeyboardMarkup `json:"reply_markup,omitempty"`
}

// EditMessageTextParams are the parameters of editMessageText.
type EditMessageTextParams struct {
	ChatID             string                `json:"chat_id"`
	MessageID          int64                 `json:"message_id"`
	Text               string                `json:"text"`
	ParseMode          string                `json:"parse_mode,omitempty"`
	LinkPreviewOptions *LinkPreviewOptions   `json:"link_preview_options,omitempty"`
	ReplyMarkup        *InlineKeyboardMarkup `json:"reply_markup,omitempty"`
}

// SendPhotoParams are the parameters of sendPhoto besides the file.
type SendPhotoParams struct {
	ChatID              string                `json:"chat_id"`
	MessageThreadID     int                   `json:"message_thread_id,omitempty"`
	Caption             string                `json:"caption,omitempty"`
	ParseMode           string                `json:"parse_mode,omitempty"`
	DisableNotification bool                  `json:"disable_notification,omitempty"`
	ReplyParameters     *ReplyParameters      `json:"reply_parameters,omitempty"`
	ReplyMarkup         *InlineKeyboardMarkup `json:"reply_markup,omitempty"`
}

// The edit methods replace the keyboard with ReplyMarkup: a nil one
// removes the keyboard the message had, as Telegram does when
// reply_markup is left out.

// EditMessageMediaParams are the parameters of editMessageMedia besides
// the file, which the client names in Media as attach://<field>.
type EditMessageMediaParams struct {
	ChatID      string                `json:"chat_id"`
	MessageID   int64                 `json:"message_id"`
	Media       InputMediaPhoto       `json:"media"`
	ReplyMarkup *InlineKeyboardMarkup `json:"reply_markup,omitempty"`
}

// InputMediaPhoto is a new photo for editMessageMedia; the client sets
// Type and Media.
type InputMediaPhoto struct {
	Type      string `json:"type"`
	Media     string `json:"media"`
	Caption   string `json:"caption,omitempty"`
	ParseMode string `json:"parse_mode,omitempty"`
}

// EditMessageCaptionParams are the parameters of editMessageCaption.
type EditMessageCaptionParams struct {
	ChatID      string                `json:"chat_id"`
	MessageID   int64                 `json:"message_id"`
	Caption     string                `json:"caption"`
	ParseMode   string                `json:"parse_mode,omitempty"`
	ReplyMarkup *InlineKeyboardMarkup `json:"reply_markup,omitempty"`
}

// EditMessageReplyMarkupParams are the parameters of
// editMessageReplyMarkup: the keyboard alone changes (nil removes it).
type EditMessageReplyMarkupParams struct {
	ChatID      string                `json:"chat_id"`
	MessageID   int64                 `json:"message_id"`
	ReplyMarkup *InlineKeyboardMarkup `json:"reply_markup,omitempty"`
}

// DeleteMessageParams are the parameters of deleteMessage.
type DeleteMessageParams struct {
	ChatID    string `json:"chat_id"`
	MessageID int64  `json:"message_id"`
}
