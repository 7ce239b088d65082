package config

import (
	"net/url"
	"strings"
)

// checkPlatform checks the section of the chat platforms that post to a
// webhook URL: the URL is required, absolute http(s), and the rest fits.
func (l *loader) checkPlatform(p string, ch *ChannelConfig) {
	switch {
	case ch.DingTalk != nil:
		p += ".dingtalk"
		l.checkPlatformURL(p+".url", ch.DingTalk.URL, true)
		l.checkMention(p+".mention", ch.DingTalk.Mention)
	case ch.WeCom != nil:
		p += ".wecom"
		l.checkPlatformURL(p+".url", ch.WeCom.URL, true)
		l.checkMention(p+".mention", ch.WeCom.Mention)
	case ch.Teams != nil:
		l.checkPlatformURL(p+".teams.url", ch.Teams.URL, true)
	case ch.Discord != nil:
		l.checkPlatformURL(p+".discord.url", ch.Discord.URL, true)
		if ch.Discord.AvatarURL != "" {
			l.checkPlatformURL(p+".discord.avatar_url", Secret(ch.Discord.AvatarURL), false)
		}
	case ch.Webhook != nil:
		p += ".webhook"
		l.checkPlatformURL(p+".url", ch.Webhook.URL, true)
		if ch.Webhook.SignatureHeader == "" {
			l.fieldErrorf(p+".signature_header", "must not be empty")
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
		if s.Channel == "" {
			l.fieldErrorf(p+".channel", "required with bot_token")
		}
		l.checkPlatformURL(p+".api_url", Secret(s.APIURL), false)
	}
}

// checkPlatformURL checks an absolute http(s) URL; the message never shows
// a secret URL, since webhook URLs carry their tokens.
func (l *loader) checkPlatformURL(field string, v Secret, secret bool) {
	if l.hasFailed(field) || l.hasFailed(strings.TrimSuffix(field, "url")+"url_file") {
		return
	}
	if v == "" {
		l.fieldErrorf(field, "required")
		return
	}
	u, err := url.Parse(string(v))
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		if secret {
			l.fieldErrorf(field, "must be an absolute http or https URL")
		} else {
			l.fieldErrorf(field, "must be an absolute http or https URL, got %q", string(v))
		}
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
