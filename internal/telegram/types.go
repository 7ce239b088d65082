package telegram

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
	ID    int64  `json:"id"`
	Type  string `json:"type"`
	Title string `json:"title,omitempty"`
}

// Message is the part of a Message object Herald reads.
type Message struct {
	MessageID       int64  `json:"message_id"`
	MessageThreadID int64  `json:"message_thread_id,omitempty"`
	Chat            Chat   `json:"chat"`
	From            *User  `json:"from,omitempty"`
	Date            int64  `json:"date"`
	Text            string `json:"text,omitempty"`
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

// EditMessageMediaParams are the parameters of editMessageMedia besides
// the file, which the client names in Media as attach://<field>.
type EditMessageMediaParams struct {
	ChatID    string          `json:"chat_id"`
	MessageID int64           `json:"message_id"`
	Media     InputMediaPhoto `json:"media"`
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
	ChatID    string `json:"chat_id"`
	MessageID int64  `json:"message_id"`
	Caption   string `json:"caption"`
	ParseMode string `json:"parse_mode,omitempty"`
}
