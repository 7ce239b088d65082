package config

import (
	"net/url"
	"regexp"
	"strings"
	"unicode/utf16"

	"golang.org/x/net/http/httpguts"
)

// checkPlatform checks the section of the chat platforms that post to a
// webhook URL: the URL is required, absolute http(s), and the rest fits.
func (l *loader) checkPlatform(p string, ch *ChannelConfig) {
	switch {
	case ch.DingTalk != nil:
		p += ".dingtalk"
		if l.checkPlatformURL(p+".url", ch.DingTalk.URL, true) {
			l.checkURLParam(p+".url", ch.DingTalk.URL, "access_token", "https://oapi.dingtalk.com/robot/send?access_token=…")
		}
		l.checkMention(p+".mention", ch.DingTalk.Mention)
	case ch.WeCom != nil:
		p += ".wecom"
		if l.checkPlatformURL(p+".url", ch.WeCom.URL, true) {
			l.checkURLParam(p+".url", ch.WeCom.URL, "key", "https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=…")
		}
		l.checkMention(p+".mention", ch.WeCom.Mention)
	case ch.Teams != nil:
		l.checkPlatformURL(p+".teams.url", ch.Teams.URL, true)
	case ch.Discord != nil:
		l.checkDiscord(p+".discord", ch.Discord)
	case ch.Webhook != nil:
		p += ".webhook"
		l.checkPlatformURL(p+".url", ch.Webhook.URL, true)
		// The values may be sent on every request, so they are checked as
		// Prometheus' headers are; Herald's own headers win over them.
		l.checkHeaders(p+".headers", ch.Webhook.Headers, false)
		switch h := ch.Webhook.SignatureHeader; {
		case h == "":
			l.fieldErrorf(p+".signature_header", "must not be empty")
		case !httpguts.ValidHeaderFieldName(h) && !l.hasFailed(p+".signature_header"):
			l.fieldErrorf(p+".signature_header", "invalid header name %q", h)
		}
	case ch.Slack != nil:
		l.checkSlack(p+".slack", ch.Slack)
	}
}

func (l *loader) checkSlack(p string, s *SlackConfig) {
	switch {
	case s.WebhookURL == "" && s.BotToken == "":
		if !l.hasFailed(p+".webhook_url") && !l.hasFailed(p+".bot_token") {
			l.fieldErrorf(p, "set webhook_url, or bot_token with channel")
		}
	case s.WebhookURL != "" && s.BotToken != "":
		l.fieldErrorf(p, "webhook_url and bot_token are both set; use one")
	case s.WebhookURL != "":
		l.checkPlatformURL(p+".webhook_url", s.WebhookURL, true)
	default:
		if strings.ContainsAny(string(s.BotToken), " \t\r\n") && !l.hasFailed(p+".bot_token") {
			l.fieldErrorf(p+".bot_token", "contains blanks (want the token as Slack shows it, xoxb-…)")
		}
		if s.Channel == "" {
			l.fieldErrorf(p+".channel", "required with bot_token")
		}
		l.checkPlatformURL(p+".api_url", Secret(s.APIURL), false)
	}
}

// checkPlatformURL checks an absolute http(s) URL; the message never shows
// a secret URL, since webhook URLs carry their tokens. It reports whether
// the URL is there and well formed, for the checks of its parts.
func (l *loader) checkPlatformURL(field string, v Secret, secret bool) bool {
	if l.hasFailed(field) || l.hasFailed(strings.TrimSuffix(field, "url")+"url_file") {
		return false
	}
	if v == "" {
		l.fieldErrorf(field, "required")
		return false
	}
	u, err := url.Parse(string(v))
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		if secret {
			l.fieldErrorf(field, "must be an absolute http or https URL")
		} else {
			l.fieldErrorf(field, "must be an absolute http or https URL, got %q", string(v))
		}
		return false
	}
	return true
}

// checkURLParam checks that a robot's webhook URL carries its token in the
// query parameter param, which the platform needs to know the robot. The
// message shows the expected form, never the URL.
func (l *loader) checkURLParam(field string, v Secret, param, form string) {
	u, err := url.Parse(string(v))
	if err != nil || u.Query().Get(param) == "" {
		l.fieldErrorf(field, "has no %s parameter (copy the whole webhook address from the robot's settings: %s)", param, form)
	}
}

// discordWebhookPath is the end of a Discord webhook URL's path (the same
// pattern as the notifier's).
var discordWebhookPath = regexp.MustCompile(`/webhooks/([0-9]+)/([A-Za-z0-9._-]+)/?$`)

// maxDiscordUsername is Discord's limit on a webhook's username, in UTF-16
// units (https://discord.com/developers/docs/resources/webhook#execute-webhook).
const maxDiscordUsername = 80

// checkDiscord checks what Discord would refuse with every message: the
// webhook URL's form and the username.
func (l *loader) checkDiscord(p string, d *DiscordConfig) {
	if l.checkPlatformURL(p+".url", d.URL, true) {
		u, err := url.Parse(string(d.URL))
		switch {
		case err != nil || u.User != nil:
			l.fieldErrorf(p+".url", "must not contain a user name or password")
		case !discordWebhookPath.MatchString(u.Path):
			l.fieldErrorf(p+".url", "must end in /webhooks/ID/TOKEN (copy it with \"Copy Webhook URL\"; the /slack and /github variants are not supported)")
		}
	}
	if d.AvatarURL != "" {
		l.checkPlatformURL(p+".avatar_url", Secret(d.AvatarURL), false)
	}
	name := strings.ToLower(d.Username)
	switch {
	case l.hasFailed(p + ".username"):
	case strings.Contains(name, "discord") || strings.Contains(name, "clyde"):
		l.fieldErrorf(p+".username", "%q is refused by Discord (it must not contain \"discord\" or \"clyde\")", d.Username)
	case len(utf16.Encode([]rune(d.Username))) > maxDiscordUsername:
		l.fieldErrorf(p+".username", "longer than Discord's %d characters", maxDiscordUsername)
	}
}

// checkBotToken checks that a Telegram bot token can be put in a URL path,
// as the Bot API wants it; the message never shows the token.
func (l *loader) checkBotToken(field string, token Secret) {
	if strings.ContainsAny(string(token), "/?#% \t\r\n") && !l.hasFailed(field) {
		l.fieldErrorf(field, "contains characters that cannot be in a URL path (want the token as BotFather gives it)")
	}
}

// checkGrafanaURL refuses what the Grafana client cannot use: a query or a
// fragment would be lost or misread when render paths are added.
func (l *loader) checkGrafanaURL(field, s string) {
	if s == "" || l.hasFailed(field) {
		return
	}
	if u, err := url.Parse(strings.TrimRight(s, "/")); err == nil && u.User == nil && (u.RawQuery != "" || u.Fragment != "") {
		l.fieldErrorf(field, "must not contain a query or a fragment")
	}
}

func (l *loader) checkMention(field string, m *Mention) {
	if m == nil {
		return
	}
	for i, mob := range m.Mobiles {
		if strings.TrimSpace(mob) == "" {
			l.fieldErrorf(field+".mobiles", "entry %d is empty", i)
		}
	}
}
