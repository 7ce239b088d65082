package main

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
)

// The command line conventions of Prometheus' tools: --version, the help
// forms, and exit 2 with the problem and the usage for a wrong invocation.

var binOnce struct {
	sync.Once
	path string
	err  error
	out  []byte
}

// heraldBinary builds the command once for the tests that run it as a
// process.
func heraldBinary(t *testing.T) string {
	t.Helper()
	binOnce.Do(func() {
		dir, err := os.MkdirTemp("", "herald-bin-")
		if err != nil {
			binOnce.err = err
			return
		}
		binOnce.path = filepath.Join(dir, "herald")
		binOnce.out, binOnce.err = exec.Command("go", "build", "-o", binOnce.path, ".").CombinedOutput()
	})
	if binOnce.err != nil {
		t.Fatalf("build: %v\n%s", binOnce.err, binOnce.out)
	}
	return binOnce.path
}

func TestMain(m *testing.M) {
	code := m.Run()
	if binOnce.path != "" {
		os.RemoveAll(filepath.Dir(binOnce.path))
	}
	os.Exit(code)
}

func TestVersionForms(t *testing.T) {
	t.Parallel()
	_, want, _ := runCmd("version")
	lines := strings.Split(strings.TrimSpace(want), "\n")
	if len(lines) != 3 || !strings.HasPrefix(lines[0], "herald, version dev (branch: ") || !strings.Contains(lines[0], ", revision: ") ||
		!strings.HasPrefix(lines[1], "  go version:       go") || !strings.HasPrefix(lines[2], "  platform:         ") {
		t.Fatalf("version output:\n%s", want)
	}
	for _, form := range []string{"--version", "-v", "-version"} {
		if code, out, errs := runCmd(form); code != 0 || out != want || errs != "" {
			t.Errorf("%s: %d %q %q", form, code, out, errs)
		}
	}
	if code, _, errs := runCmd("--version", "x"); code != 2 || !strings.Contains(errs, `takes no arguments, got "x"`) {
		t.Errorf("--version x: %d %q", code, errs)
	}
}

func TestHelpForms(t *testing.T) {
	t.Parallel()
	for _, form := range [][]string{{"--help"}, {"-h"}, {"help"}, {"-help"}} {
		code, out, errs := runCmd(form...)
		if code != 0 || errs != "" || !strings.HasPrefix(out, "Usage: herald [COMMAND] [FLAGS]") {
			t.Errorf("%v: %d %q %q", form, code, out, errs)
		}
		for _, c := range commands() {
			if !strings.Contains(out, "\n  "+c.name+" ") {
				t.Errorf("%v lacks %s:\n%s", form, c.name, out)
			}
		}
	}
	for _, c := range commands() {
		code, out, errs := runCmd("help", c.name)
		if code != 0 || errs != "" || !strings.HasPrefix(out, "Usage: herald "+c.name) {
			t.Errorf("help %s: %d %q %q", c.name, code, out, errs)
		}
		if c.name != "version" && !strings.Contains(out, "  --config.file string") {
			t.Errorf("help %s lacks --config.file:\n%s", c.name, out)
		}
		if code, out2, _ := runCmd(c.name, "--help"); code != 0 || out2 != out {
			t.Errorf("%s --help: %d, differs from help %s:\n%s", c.name, code, c.name, out2)
		}
	}
	if code, out, _ := runCmd("help", "serve"); code != 0 || !strings.Contains(out, "--web.config.file") || !strings.Contains(out, "--web.listen-address") {
		t.Errorf("help serve: %s", out)
	}
	if code, _, errs := runCmd("help", "frobnicate"); code != 2 || !strings.Contains(errs, `unknown command "frobnicate"`) || !strings.Contains(errs, "Usage: herald") {
		t.Errorf("help frobnicate: %d %q", code, errs)
	}
	if code, _, errs := runCmd("help", "serve", "x"); code != 2 || !strings.Contains(errs, `unexpected argument "x"`) {
		t.Errorf("help serve x: %d %q", code, errs)
	}
}

func TestWrongInvocationsExit2WithUsage(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"frobnicate"}, `unknown command "frobnicate"`},
		{[]string{"--no-such-flag"}, "flag provided but not defined: -no-such-flag"},
		{[]string{"serve", "--no-such-flag"}, "flag provided but not defined: -no-such-flag"},
		{[]string{"serve", "extra"}, `unexpected argument "extra"`},
		{[]string{"check-config", "--bogus"}, "flag provided but not defined: -bogus"},
		{[]string{"check-config", "a.yml", "--config", "b.yml"}, "either as arguments or with --config"},
		{[]string{"send-test", "--severity"}, "flag needs an argument: -severity"},
		{[]string{"send-test", "--resolve-after", "soon"}, `invalid duration "soon"`},
		{[]string{"healthcheck", "--ready=maybe"}, `invalid boolean value "maybe"`},
		{[]string{"healthcheck", "http://x"}, `unexpected argument "http://x"`},
		{[]string{"deliveries", "--state", "lost"}, `--state: "lost" is not pending, failed, sent or all`},
		{[]string{"deliveries", "--limit", "0"}, "--limit: 0 is not a positive number"},
		{[]string{"deliveries", "--limit", "many"}, `invalid value "many" for flag -limit`},
		{[]string{"explain"}, "--expr is required"},
		{[]string{"render"}, "give exactly one of --expr and --alert-file"},
		{[]string{"stats", "--window"}, "flag needs an argument: -window"},
		{[]string{"version", "--short"}, "flag provided but not defined: -short"},
		{[]string{"version", "now"}, `unexpected argument "now"`},
	} {
		code, out, errs := runCmd(tc.args...)
		if code != 2 || !strings.Contains(errs, tc.want) || !strings.Contains(errs, "Usage: herald ") || out != "" {
			t.Errorf("%v: exit %d, stdout %q, stderr:\n%s", tc.args, code, out, errs)
		}
	}
}

func TestCheckConfigPositional(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	good := writeFile(t, dir, "good.yml", "channels:\n  - name: c\n    console: {}\n")
	good2 := writeFile(t, dir, "good2.yml", "channels:\n  - {name: a, console: {}}\n  - {name: b, console: {}}\ndefault_channel: b\n")
	bad := writeFile(t, dir, "bad.yml", "listen_adress: x\nchannels:\n  - name: c\n    console: {}\n")

	code, out, errs := runCmd("check-config", good, good2)
	if code != 0 || !strings.Contains(out, good+": OK: 1 channel(s)") || !strings.Contains(out, good2+": OK: 2 channel(s), 0 route(s), default channel b") || errs != "" {
		t.Fatalf("two good: %d %q %q", code, out, errs)
	}
	code, out, errs = runCmd("check-config", good, bad, "--log.level", "debug")
	if code != 1 || !strings.Contains(out, good+": OK") || !strings.Contains(errs, bad+`:1: unknown field "listen_adress"`) ||
		!strings.Contains(errs, bad+": FAILED: 1 problem(s)") || !strings.Contains(errs, "1 of 2 file(s) failed") {
		t.Fatalf("good and bad: %d %q %q", code, out, errs)
	}
	code, _, errs = runCmd("check-config", filepath.Join(dir, "missing.yml"))
	if code != 1 || !strings.Contains(errs, "missing.yml: FAILED") || !strings.Contains(errs, "no such file") {
		t.Fatalf("missing: %d %q", code, errs)
	}
	for _, flagName := range []string{"--config", "--config.file", "-config.file"} {
		if code, out, _ := runCmd("check-config", flagName, good2); code != 0 || !strings.Contains(out, good2+": OK: 2 channel(s)") {
			t.Errorf("%s: %d %q", flagName, code, out)
		}
		if code, _, errs := runCmd("check-config", flagName+"="+bad); code != 1 || !strings.Contains(errs, bad+": FAILED") {
			t.Errorf("%s=bad: %d %q", flagName, code, errs)
		}
	}
	// Everything after "--" is a file, even what looks like a flag.
	if code, _, errs := runCmd("check-config", good, "--", "--log.level"); code != 1 || !strings.Contains(errs, "--log.level: FAILED") {
		t.Errorf("after --: %d %q", code, errs)
	}
}
