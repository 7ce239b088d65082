package feishu

import (
	"errors"
	"fmt"
	"net/url"
	"regexp"
	"strings"

	"github.com/heraldhq/herald/internal/config"
)

// The Open Platform hosts of the two deployments. A custom bot's webhook
// and the image API of its tenant's apps live on the same host.
const (
	FeishuBaseURL = "https://open.feishu.cn"
	LarkBaseURL   = "https://open.larksuite.com"
)

// Config is a channel's `feishu:` section: a Feishu or Lark custom bot
// (自定义机器人, https://open.feishu.cn/document/client-docs/bot-v3/add-custom-bot),
// and optionally an app whose credentials let Herald upload charts.
type Config struct {
	// URL is the bot's webhook, https://open.feishu.cn/open-apis/bot/v2/hook/<token>
	// (open.larksuite.com for Lark). The token in it is a secret.
	URL     config.Secret `yaml:"url"`
	URLFile string        `yaml:"url_file"`
	// Secret signs every request when the bot's "signature verification"
	// (签名校验) security setting is on.
	Secret     config.Secret `yaml:"secret"`
	SecretFile string        `yaml:"secret_file"`
	// Domain says which deployment the bot is on: "feishu"
	// (open.feishu.cn), "lark" (open.larksuite.com), or a base URL for
	// another host; empty takes it from URL's host.
	Domain string `yaml:"domain"`
	// AppID and AppSecret are a custom app's credentials (开发者后台 →
	// 凭证与基础信息), with the im:resource permission: a custom bot cannot
	// upload images, the app can, and the card then shows the chart. Both
	// or neither; without them the card links to the hosted chart.
	AppID         string        `yaml:"app_id"`
	AppSecret     config.Secret `yaml:"app_secret"`
	AppSecretFile string        `yaml:"app_secret_file"`
	// Mention calls people in firing messages and reminders.
	Mention *Mention `yaml:"mention"`
	// Title and Message are template bodies: the card's header (plain
	// text) and its markdown (DefaultTitle, DefaultMessage).
	Title   string `yaml:"title"`
	Message string `yaml:"message"`
	// HTTPConfig is the client of the bot's and the app's requests
	// (proxy, TLS), Prometheus' http_config.
	HTTPConfig config.HTTPClientConfig `yaml:"http_config"`
}

// Mention is whom a message calls: everyone in the group, or people by
// open_id (ou_…) or user_id. A custom bot knows no names, e-mail
// addresses or mobile numbers.
type Mention struct {
	All     bool     `yaml:"all"`
	UserIDs []string `yaml:"user_ids"`
}

// DefaultConfig is the section an empty `feishu:` gives.
func DefaultConfig() Config { return Config{HTTPConfig: config.DefaultHTTPClientConfig()} }

// FieldError is a problem with one setting of the section. Field is its
// path inside the section ("url", "mention.user_ids[1]"); the config loader
// prefixes the channel's and adds the line.
type FieldError = config.FieldError

// hookPath is the path of a custom bot's webhook; the token is a UUID.
var hookPath = regexp.MustCompile(`^/open-apis/bot/v2/hook/([A-Za-z0-9-]+)$`)

// userID is an open_id (ou_…) or a user_id: a mention is written into the
// card's markdown as <at id=…>, so an id must not be able to hold markup.
var userID = regexp.MustCompile(`^[A-Za-z0-9_-]{1,64}$`)

// appID is a custom app's App ID as the developer console shows it.
var appID = regexp.MustCompile(`^cli_[A-Za-z0-9]+$`)

// newConfig is the section the config loader decodes into.
func newConfig() config.Section { c := DefaultConfig(); return &c }

// Validate checks the section once its *_file settings are read. Messages name the
// field and never show a secret: the webhook URL holds the bot's token.
func (c *Config) Validate() []FieldError {
	var errs []FieldError
	add := func(field, format string, args ...any) {
		errs = append(errs, FieldError{Field: field, Msg: fmt.Sprintf(format, args...)})
	}
	base, err := c.BaseURL()
	if err != nil {
		add("domain", "%v", err)
	}
	switch u, perr := url.Parse(string(c.URL)); {
	case c.URL == "":
		add("url", "required (or url_file)")
	case perr != nil || u.Host == "" || u.User != nil || u.RawQuery != "" || u.Fragment != "" || !hookPath.MatchString(u.Path):
		add("url", "must be %s/open-apis/bot/v2/hook/<token> (copy the webhook address from the bot's settings)", exampleBase(base))
	case err == nil && u.Scheme+"://"+u.Host != base:
		add("url", "is not on %s, the host of domain %q (set domain to the deployment the bot is on)", base, c.Domain)
	}
	if c.AppID != "" && !appID.MatchString(c.AppID) {
		add("app_id", "must be the app's App ID, cli_… (Credentials & Basic Info in the developer console)")
	}
	switch {
	case c.AppID != "" && c.AppSecret == "":
		add("app_secret", "required with app_id (or app_secret_file)")
	case c.AppID == "" && c.AppSecret != "":
		add("app_id", "required with app_secret")
	}
	if m := c.Mention; m != nil {
		for i, id := range m.UserIDs {
			if !userID.MatchString(strings.TrimSpace(id)) {
				add(fmt.Sprintf("mention.user_ids[%d]", i), "must be an open_id (ou_…) or a user_id: letters, digits, _ and -")
			}
		}
	}
	return errs
}

// exampleBase is the base URL an error message shows.
func exampleBase(base string) string {
	if base == "" {
		return FeishuBaseURL
	}
	return base
}

// BaseURL is the Open Platform base URL of the bot: the one Domain
// names, or for an empty Domain the one of URL's host (Feishu's when URL
// is on neither).
func (c *Config) BaseURL() (string, error) {
	switch d := strings.TrimSpace(c.Domain); strings.ToLower(d) {
	case "feishu":
		return FeishuBaseURL, nil
	case "lark", "larksuite":
		return LarkBaseURL, nil
	case "":
		if u, err := url.Parse(string(c.URL)); err == nil && u.Scheme+"://"+u.Host == LarkBaseURL {
			return LarkBaseURL, nil
		}
		return FeishuBaseURL, nil
	default:
		u, err := url.Parse(d)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || strings.Trim(u.Path, "/") != "" ||
			u.RawQuery != "" || u.User != nil {
			return "", errors.New(`must be "feishu", "lark" or a base URL such as https://open.feishu.cn`)
		}
		return u.Scheme + "://" + u.Host, nil
	}
}

// Secrets returns the secret values set, for the app's redaction of logs
// and errors: the webhook URL and its token, the signing secret and the
// app secret. (The config loader finds the Secret fields by type and
// reads their *_file settings; the token inside the URL is what it cannot
// know.)
func (c *Config) Secrets() []string {
	var out []string
	for _, s := range []string{string(c.URL), webhookToken(string(c.URL)), string(c.Secret), string(c.AppSecret)} {
		if s != "" {
			out = append(out, s)
		}
	}
	return out
}

// webhookToken is the token of a webhook URL, "" when there is none.
func webhookToken(webhook string) string {
	u, err := url.Parse(webhook)
	if err != nil {
		return ""
	}
	if m := hookPath.FindStringSubmatch(u.Path); m != nil {
		return m[1]
	}
	return ""
}
