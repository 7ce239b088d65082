package config_test

import (
	"os"
	"path/filepath"
	"regexp"
	"testing"
)

// TestDocsExamples loads the YAML examples of docs/configuration.md that
// are complete files, so that the documentation cannot drift from the code.
func TestDocsExamples(t *testing.T) {
	doc, err := os.ReadFile("../../docs/configuration.md")
	if err != nil {
		t.Skipf("docs not found: %v", err)
	}
	blocks := regexp.MustCompile("(?s)```yaml\n(.*?)```").FindAllSubmatch(doc, -1)
	dir := t.TempDir()
	for _, f := range []string{"secrets/webhook_token", "secrets/status_bot_token", "templates/herald.tmpl"} {
		p := filepath.Join(dir, f)
		if err := os.MkdirAll(filepath.Dir(p), 0o700); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte("x\n"), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	env := fakeEnv(map[string]string{"TELEGRAM_BOT_TOKEN": "123:doc",
		"S3_ACCESS_KEY_ID": "AKIADOC", "S3_SECRET_ACCESS_KEY": "doc-secret"})
	loaded := 0
	for i, b := range blocks {
		// Fragments (one or two keys) are not complete files.
		if len(b[1]) < 200 {
			continue
		}
		path := filepath.Join(dir, "herald.yml")
		if err := os.WriteFile(path, b[1], 0o600); err != nil {
			t.Fatal(err)
		}
		if _, err := load(path, env, ""); err != nil {
			t.Errorf("example %d does not load:\n%v\n%s", i, err, b[1])
		}
		loaded++
	}
	if loaded < 2 {
		t.Errorf("found %d complete examples, want the minimal and the full one", loaded)
	}
}
