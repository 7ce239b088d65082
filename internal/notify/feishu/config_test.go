package feishu

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"go.yaml.in/yaml/v3"

	"github.com/heraldhq/herald/internal/config"
)

const hook = "https://open.feishu.cn/open-apis/bot/v2/hook/0fa4e7c2-1234-4e2b-9c3d-abcdef012345"

// Each broken section gives exactly these errors, naming the field and
// never the webhook's token.
func TestValidate(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name, yaml string
		want       []string
	}{
		{"feishu", "url: " + hook, nil},
		{"lark inferred", "url: https://open.larksuite.com/open-apis/bot/v2/hook/abc-1", nil},
		{"lark domain", "domain: lark\nurl: https://open.larksuite.com/open-apis/bot/v2/hook/abc-1", nil},
		{"own host", "domain: http://127.0.0.1:8080\nurl: http://127.0.0.1:8080/open-apis/bot/v2/hook/abc-1", nil},
		{"app and mentions", "url: " + hook + "\napp_id: cli_a1b2c3\napp_secret: s3cr3t\nmention: {all: true, user_ids: [ou_abc, 5d9b]}", nil},
		{"missing url", "secret: x", []string{"url: required (or url_file)"}},
		{"dingtalk url", "url: https://oapi.dingtalk.com/robot/send?access_token=abc",
			[]string{"url: must be https://open.feishu.cn/open-apis/bot/v2/hook/<token> (copy the webhook address from the bot's settings)"}},
		{"query", "url: " + hook + "?x=1",
			[]string{"url: must be https://open.feishu.cn/open-apis/bot/v2/hook/<token> (copy the webhook address from the bot's settings)"}},
		{"lark url, feishu domain", "domain: feishu\nurl: https://open.larksuite.com/open-apis/bot/v2/hook/abc-1",
			[]string{`url: is not on https://open.feishu.cn, the host of domain "feishu" (set domain to the deployment the bot is on)`}},
		{"bad domain", "domain: larks\nurl: " + hook, []string{`domain: must be "feishu", "lark" or a base URL such as https://open.feishu.cn`}},
		{"app id alone", "url: " + hook + "\napp_id: cli_a1", []string{"app_secret: required with app_id (or app_secret_file)"}},
		{"app secret alone", "url: " + hook + "\napp_secret: x", []string{"app_id: required with app_secret"}},
		{"app id form", "url: " + hook + "\napp_id: a1\napp_secret: x", []string{"app_id: must be the app's App ID, cli_… (Credentials & Basic Info in the developer console)"}},
		{"mention markup", "url: " + hook + "\nmention: {user_ids: [ou_ok, 'all></at><at id=x']}",
			[]string{"mention.user_ids[1]: must be an open_id (ou_…) or a user_id: letters, digits, _ and -"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var c Config
			if err := yaml.Unmarshal([]byte(tc.yaml), &c); err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, e := range c.Validate() {
				got = append(got, e.Error())
			}
			if strings.Join(got, "\n") != strings.Join(tc.want, "\n") {
				t.Errorf("got\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(tc.want, "\n"))
			}
			if strings.Contains(strings.Join(got, ""), "0fa4e7c2") {
				t.Error("an error shows the token")
			}
		})
	}
}

// Unknown keys are errors, in the section and in mention, reported by the
// config loader like every platform's, with the file, line and field.
func TestUnknownKeys(t *testing.T) {
	t.Parallel()
	ps := []config.Platform{{Name: "feishu", New: newConfig}}
	for _, tc := range []struct{ section, want string }{
		{"{url: '" + hook + "', secert: x}", `c.yml:3: channels[0].feishu: unknown field "secert"`},
		{"{url: '" + hook + "', mention: {everyone: true}}", `c.yml:3: channels[0].feishu.mention: unknown field "everyone"`},
	} {
		path := filepath.Join(t.TempDir(), "c.yml")
		data := "data_dir: " + t.TempDir() + "\nchannels:\n  - {name: f, feishu: " + tc.section + "}\n"
		if err := os.WriteFile(path, []byte(data), 0o600); err != nil {
			t.Fatal(err)
		}
		_, err := config.Load(path, ps)
		if err == nil || !strings.HasSuffix(err.Error(), tc.want) {
			t.Errorf("%s: got %v, want %s", tc.section, err, tc.want)
		}
	}
}

// Secrets lists what to redact, the token inside the URL included.
func TestSecrets(t *testing.T) {
	t.Parallel()
	c := Config{URL: hook, Secret: "s", AppSecret: "a"}
	if s := c.Secrets(); len(s) != 4 || s[1] != "0fa4e7c2-1234-4e2b-9c3d-abcdef012345" {
		t.Errorf("secrets %q", s)
	}
}
