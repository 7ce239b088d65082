package bot

import (
	"fmt"
	"maps"
	"reflect"
	"slices"
	"strings"
	"testing"
	"unicode/utf8"
)

// catalogs is every language the bot speaks, en first: the others follow it.
var catalogs = []struct {
	lang string
	c    *catalog
}{{"en", &en}, {"ru", &ru}, {"uk", &uk}, {"zh", &zh}}

// maxCommandDescription is Telegram's limit on a BotCommand description
// (https://core.telegram.org/bots/api#botcommand).
const maxCommandDescription = 256

// TestCatalogs walks the catalog struct by reflection, so a field added to
// it is checked in every language without touching this test.
func TestCatalogs(t *testing.T) {
	t.Parallel()
	ref := reflect.ValueOf(en)
	for _, tc := range catalogs {
		t.Run(tc.lang, func(t *testing.T) {
			t.Parallel()
			v := reflect.ValueOf(*tc.c)
			for i := range v.NumField() {
				f := v.Type().Field(i)
				switch {
				case f.Type.Kind() == reflect.String:
					checkText(t, f.Name, v.Field(i).String(), ref.Field(i).String())
				case f.Type == reflect.TypeFor[map[string]string]():
					checkCommands(t, f.Name, v.Field(i).Interface().(map[string]string), en.Commands)
				default:
					t.Errorf("%s: this test does not know how to check a %s", f.Name, f.Type)
				}
			}
			if tc.c != &en && tc.c.LangSet == en.LangSet {
				t.Errorf("LangSet is English: is the catalog still a copy of en?")
			}
		})
	}
}

func checkText(t *testing.T, field, s, ref string) {
	t.Helper()
	if s == "" {
		t.Errorf("%s is empty", field)
		return
	}
	if got, want := verbs(s), verbs(ref); !slices.Equal(got, want) {
		t.Errorf("%s has the verbs %q, en has %q", field, got, want)
	}
	if err := checkHTML(s); err != nil {
		t.Errorf("%s: %v", field, err)
	}
}

func checkCommands(t *testing.T, field string, m, ref map[string]string) {
	t.Helper()
	if got, want := slices.Sorted(maps.Keys(m)), slices.Sorted(maps.Keys(ref)); !slices.Equal(got, want) {
		t.Errorf("%s has the commands %q, en has %q", field, got, want)
	}
	for name, d := range m {
		if n := utf8.RuneCountInString(d); n < 1 || n > maxCommandDescription {
			t.Errorf("%s[%q] has %d characters, Telegram takes 1 to %d", field, name, n, maxCommandDescription)
		}
	}
}

// TestCommandOrder: the menu sends en.Commands[name] for every name of
// commandOrder, and Telegram refuses an empty description.
func TestCommandOrder(t *testing.T) {
	t.Parallel()
	if got, want := slices.Sorted(slices.Values(commandOrder)), slices.Sorted(maps.Keys(en.Commands)); !slices.Equal(got, want) {
		t.Errorf("commandOrder has %q, the catalogs describe %q", got, want)
	}
}

// verbs is the sequence of fmt verbs in s, flags and width included; "%%"
// prints a percent sign and is left out. A lone "%" at the end counts, so
// that a stray one shows up as a difference.
func verbs(s string) []string {
	var out []string
	for i := 0; i < len(s); i++ {
		if s[i] != '%' {
			continue
		}
		j := i + 1
		for j < len(s) && strings.IndexByte("+-# 0123456789.*[]", s[j]) >= 0 {
			j++
		}
		if j == len(s) {
			out = append(out, s[i:])
			break
		}
		_, size := utf8.DecodeRuneInString(s[j:])
		if s[j] != '%' || j > i+1 {
			out = append(out, s[i:j+size])
		}
		i = j + size - 1
	}
	return out
}

// checkHTML says what Telegram's HTML parse mode would refuse in s, or
// render other than meant, with only the tags the catalog uses: a tag other
// than <b>, <i>, <code>, <pre>, one with attributes, left open or closed out
// of order, one inside <code> or <pre> (but <pre><code>), and a <, > or &
// that is not a tag or one of &lt; &gt; &amp;.
func checkHTML(s string) error {
	var open []string
	for i := 0; i < len(s); i++ {
		switch s[i] {
		case '<':
			j := strings.IndexAny(s[i+1:], "<>")
			if j < 0 || s[i+1+j] != '>' {
				return fmt.Errorf("a bare < at byte %d", i)
			}
			tag := s[i+1 : i+1+j]
			name, closing := strings.CutPrefix(tag, "/")
			switch name {
			case "b", "i", "code", "pre":
			default:
				return fmt.Errorf("the tag <%s> at byte %d", tag, i)
			}
			if closing {
				if len(open) == 0 || open[len(open)-1] != name {
					return fmt.Errorf("</%s> at byte %d closes nothing open (open: %q)", name, i, open)
				}
				open = open[:len(open)-1]
			} else {
				if slices.Contains(open, name) {
					return fmt.Errorf("<%s> at byte %d is already open", name, i)
				}
				if slices.Contains(open, "code") || (slices.Contains(open, "pre") && name != "code") {
					return fmt.Errorf("<%s> at byte %d is inside %q", name, i, open)
				}
				open = append(open, name)
			}
			i += 1 + j
		case '>':
			return fmt.Errorf("a bare > at byte %d", i)
		case '&':
			j := strings.IndexByte(s[i:], ';')
			if j < 0 {
				return fmt.Errorf("a bare & at byte %d", i)
			}
			switch e := s[i : i+j+1]; e {
			case "&lt;", "&gt;", "&amp;":
				i += j
			default:
				return fmt.Errorf("the entity %q at byte %d (only &lt; &gt; &amp;)", e, i)
			}
		}
	}
	if len(open) > 0 {
		return fmt.Errorf("left open: %q", open)
	}
	return nil
}

// TestCheckers makes sure the checkers above catch what they are for, so
// that the catalogs passing them means something.
func TestCheckers(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		s     string
		verbs []string
		ok    bool
	}{
		{"plain", nil, true},
		{"<b>%d</b> of %s, 100%%", []string{"%d", "%s"}, true},
		{"%-5d %.2f %[1]s %v", []string{"%-5d", "%.2f", "%[1]s", "%v"}, true},
		{"50%", []string{"%"}, true},
		{"<pre><code>a &lt;b&gt; &amp; c</code></pre>", nil, true},
		{"<b><i>x</i></b>", nil, true},
		{"<b>x", nil, false},
		{"x</b>", nil, false},
		{"<b><i>x</b></i>", nil, false},
		{"<b><b>x</b></b>", nil, false},
		{"<code><b>x</b></code>", nil, false},
		{"<pre><b>x</b></pre>", nil, false},
		{"<u>x</u>", nil, false},
		{`<a href="x">x</a>`, nil, false},
		{`<code class="x">x</code>`, nil, false},
		{"a < b", nil, false},
		{"a > b", nil, false},
		{"a & b", nil, false},
		{"&quot;", nil, false},
		{"&nbsp;", nil, false},
	} {
		t.Run(tc.s, func(t *testing.T) {
			t.Parallel()
			if got := verbs(tc.s); !slices.Equal(got, tc.verbs) {
				t.Errorf("verbs = %q, want %q", got, tc.verbs)
			}
			if err := checkHTML(tc.s); (err == nil) != tc.ok {
				t.Errorf("checkHTML = %v, want ok %v", err, tc.ok)
			}
		})
	}
}

func TestLanguage(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		code, def, want string
		texts           *catalog
	}{
		{"ru", "en", "ru", &ru},
		{"uk", "en", "uk", &uk},
		{"zh-hans", "en", "zh", &zh},
		{"zh-TW", "en", "zh", &zh}, // Traditional readers get Simplified: closer than English
		{"en-US", "ru", "en", &en},
		{"EN_gb", "ru", "en", &en},
		{"de", "en", "en", &en},
		{"de", "uk", "uk", &uk},
		{"de", "", "", &en}, // /lang relies on "" for a language the bot does not speak
		{"", "zh", "zh", &zh},
	} {
		t.Run(tc.code+"/"+tc.def, func(t *testing.T) {
			t.Parallel()
			got := language(tc.code, tc.def)
			if got != tc.want {
				t.Errorf("language(%q, %q) = %q, want %q", tc.code, tc.def, got, tc.want)
			}
			if texts(got) != tc.texts {
				t.Errorf("texts(%q) is not the %s catalog", got, tc.want)
			}
		})
	}
}
