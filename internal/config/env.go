package config

import (
	"fmt"
	"regexp"
	"strings"

	"go.yaml.in/yaml/v3"
)

// envName is a POSIX environment variable name.
var envName = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_]*$`)

// expandEnv replaces ${VAR} and ${VAR:-default} in s with values from getenv.
//
// Only the braced form is recognised: a bare $name is left alone, because
// config values hold Alertmanager templates ({{ $labels.instance }}) and
// regular expressions where $ is common. "$${" is a literal "${". A variable
// that is unset or empty takes its default; without a default it is an
// error, because a silently empty token or chat id fails much later and far
// less clearly.
func expandEnv(s string, getenv func(string) string) (string, error) {
	if !strings.Contains(s, "${") {
		return s, nil
	}
	var b strings.Builder
	for i := 0; i < len(s); {
		switch {
		case strings.HasPrefix(s[i:], "$${"):
			b.WriteString("${")
			i += 3
		case strings.HasPrefix(s[i:], "${"):
			end := strings.IndexByte(s[i+2:], '}')
			if end < 0 {
				return "", fmt.Errorf("unterminated \"${\" (write \"$${\" for a literal \"${\")")
			}
			ref := s[i+2 : i+2+end]
			name, def, hasDef := strings.Cut(ref, ":-")
			if !envName.MatchString(name) {
				return "", fmt.Errorf("invalid environment variable reference \"${%s}\"", ref)
			}
			v := getenv(name)
			if v == "" {
				if !hasDef {
					return "", fmt.Errorf("environment variable %s is not set", name)
				}
				v = def
			}
			b.WriteString(v)
			i += 2 + end + 1
		default:
			b.WriteByte(s[i])
			i++
		}
	}
	return b.String(), nil
}

// expandNode returns n with its value expanded. The node is copied rather
// than changed because an anchored node can be used more than once, and a
// second expansion would turn an escaped "$${" into a variable. A plain
// (unquoted, untagged) scalar loses its resolved tag so that "${PORT}" can
// become an integer, as if the value had been written in the file.
func (l *loader) expandNode(n *yaml.Node, field string) (*yaml.Node, bool) {
	if !strings.Contains(n.Value, "${") {
		return n, true
	}
	v, err := expandEnv(n.Value, l.getenv)
	if err != nil {
		l.fail(field, n.Line, err.Error())
		return nil, false
	}
	c := *n
	c.Value = v
	if c.Style == 0 {
		c.Tag = ""
	}
	return &c, true
}
