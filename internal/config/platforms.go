package config

import "time"

// DingTalkConfig is a DingTalk custom robot
// (https://open.dingtalk.com/document/robots/custom-robot-access).
type DingTalkConfig struct {
	// URL is the robot's webhook with its access_token (a secret).
	URL     Secret `yaml:"url"`
	URLFile string `yaml:"url_file"`
	// Secret signs requests when the robot's "additional signature"
	// security setting is on.
	Secret     Secret `yaml:"secret"`
	SecretFile string `yaml:"secret_file"`
	// Mention asks DingTalk to notify people.
	Mention *Mention `yaml:"mention"`
	// Title and Message are template bodies (defaults:
	// `{{ template "dingtalk.herald.title" . }}`, `{{ template "dingtalk.herald.message" . }}`).
	Title   string `yaml:"title"`
	Message string `yaml:"message"`
}

// WeComConfig is a WeCom (企业微信) group robot
// (https://developer.work.weixin.qq.com/document/path/91770).
type WeComConfig struct {
	// URL is the robot's webhook with its key (a secret).
	URL     Secret   `yaml:"url"`
	URLFile string   `yaml:"url_file"`
	Mention *Mention `yaml:"mention"`
	// Message is a template body (default `{{ template "wecom.herald.message" . }}`).
	Message string `yaml:"message"`
	// SendImage sends the chart as an image message after the text (default true).
	SendImage *bool `yaml:"send_image"`
}

// Mention names who a robot message notifies.
type Mention struct {
	All     bool     `yaml:"all"`
	Mobiles []string `yaml:"mobiles"`
	UserIDs []string `yaml:"user_ids"`
}

// TeamsConfig is a Microsoft Teams workflow ("Post to a channel when a
// webhook request is received") webhook.
type TeamsConfig struct {
	URL     Secret `yaml:"url"`
	URLFile string `yaml:"url_file"`
	// Title and Message are template bodies (defaults `teams.herald.title`, `teams.herald.message`).
	Title   string `yaml:"title"`
	Message string `yaml:"message"`
}

// SlackConfig is an incoming webhook or a bot token with a channel.
type SlackConfig struct {
	WebhookURL     Secret `yaml:"webhook_url"`
	WebhookURLFile string `yaml:"webhook_url_file"`
	BotToken       Secret `yaml:"bot_token"`
	BotTokenFile   string `yaml:"bot_token_file"`
	// Channel is the channel id (C0123…) for the bot token.
	Channel string `yaml:"channel"`
	// APIURL is Slack's Web API base (default https://slack.com/api).
	APIURL string `yaml:"api_url"`
	// Message is a template body (default `slack.herald.message`).
	Message string `yaml:"message"`
}

// DiscordConfig is a Discord channel webhook.
type DiscordConfig struct {
	URL       Secret `yaml:"url"`
	URLFile   string `yaml:"url_file"`
	Username  string `yaml:"username"`
	AvatarURL string `yaml:"avatar_url"`
	// Title and Message are template bodies (defaults `discord.herald.title`, `discord.herald.message`).
	Title   string `yaml:"title"`
	Message string `yaml:"message"`
}

// OutgoingWebhookConfig posts Herald's event JSON to any HTTP endpoint.
type OutgoingWebhookConfig struct {
	URL     Secret            `yaml:"url"`
	URLFile string            `yaml:"url_file"`
	Headers map[string]Secret `yaml:"headers"`
	// HMACSecret signs the body: header SignatureHeader carries
	// "sha256=" + hex(HMAC-SHA256(secret, timestamp + "." + body)) and
	// X-Herald-Timestamp the timestamp.
	HMACSecret      Secret `yaml:"hmac_secret"`
	HMACSecretFile  string `yaml:"hmac_secret_file"`
	SignatureHeader string `yaml:"signature_header"`
}

// ImagesConfig is where charts are hosted for platforms that take images
// by URL only (DingTalk, Teams, Slack webhooks).
type ImagesConfig struct {
	// TTL is how long a chart link works (default 7d); files are removed after
	// (with S3, a bucket lifecycle rule removes them).
	TTL Duration `yaml:"ttl"`
	// SigningKey signs image links (default: a random key kept in
	// <data_dir>/images.key).
	SigningKey     Secret `yaml:"signing_key"`
	SigningKeyFile string `yaml:"signing_key_file"`
	// S3 uploads charts to S3-compatible storage instead of serving them
	// (for a Herald that chat platforms cannot reach).
	S3 *S3Config `yaml:"s3"`
}

// DefaultImagesConfig is the images section an empty file gives.
func DefaultImagesConfig() ImagesConfig {
	return ImagesConfig{TTL: Duration(7 * 24 * time.Hour)}
}

// DefaultSignatureHeader is the outgoing webhook's signature header.
const DefaultSignatureHeader = "X-Herald-Signature"

func (w *OutgoingWebhookConfig) setDefaults() {
	*w = OutgoingWebhookConfig{SignatureHeader: DefaultSignatureHeader}
}

func (s *SlackConfig) setDefaults() { *s = SlackConfig{APIURL: "https://slack.com/api"} }

func (w *WeComConfig) setDefaults() { *w = WeComConfig{SendImage: new(true)} }

// ImagesEnabled reports whether WeCom sends the chart as an image message.
func (w *WeComConfig) ImagesEnabled() bool { return w.SendImage == nil || *w.SendImage }

// platformSecrets are the secrets of a channel's platform section.
func platformSecrets(ch *ChannelConfig, p string) []secretRef {
	var refs []secretRef
	add := func(v *Secret, f *string, field string) {
		refs = append(refs, secretRef{v, f, p + "." + field, p + "." + field + "_file"})
	}
	switch {
	case ch.DingTalk != nil:
		p += ".dingtalk"
		add(&ch.DingTalk.URL, &ch.DingTalk.URLFile, "url")
		add(&ch.DingTalk.Secret, &ch.DingTalk.SecretFile, "secret")
	case ch.WeCom != nil:
		p += ".wecom"
		add(&ch.WeCom.URL, &ch.WeCom.URLFile, "url")
	case ch.Teams != nil:
		p += ".teams"
		add(&ch.Teams.URL, &ch.Teams.URLFile, "url")
	case ch.Slack != nil:
		p += ".slack"
		add(&ch.Slack.WebhookURL, &ch.Slack.WebhookURLFile, "webhook_url")
		add(&ch.Slack.BotToken, &ch.Slack.BotTokenFile, "bot_token")
	case ch.Discord != nil:
		p += ".discord"
		add(&ch.Discord.URL, &ch.Discord.URLFile, "url")
	case ch.Webhook != nil:
		p += ".webhook"
		add(&ch.Webhook.URL, &ch.Webhook.URLFile, "url")
		add(&ch.Webhook.HMACSecret, &ch.Webhook.HMACSecretFile, "hmac_secret")
	}
	return refs
}
