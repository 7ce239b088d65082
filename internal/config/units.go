package config

import (
	"fmt"
	"math"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/prometheus/common/model"
	"go.yaml.in/yaml/v3"
)

// UnmarshalYAML reads Prometheus duration syntax ("30s", "5m", "1d", "1h30m")
// so that Herald's file reads like the Prometheus and Alertmanager files next
// to it.
func (d *Duration) UnmarshalYAML(n *yaml.Node) error {
	var s string
	if err := n.Decode(&s); err != nil {
		return err
	}
	v, err := model.ParseDuration(s)
	if err != nil {
		return err
	}
	*d = Duration(v)
	return nil
}

// MarshalYAML writes the duration back in the syntax it is read in.
func (d Duration) MarshalYAML() (any, error) { return d.String(), nil }

// MarshalText keeps JSON dumps readable ("30s" rather than nanoseconds).
func (d Duration) MarshalText() ([]byte, error) { return []byte(d.String()), nil }

// String formats like Prometheus ("1d", "5m", "1h30m").
func (d Duration) String() string { return model.Duration(d).String() }

// D converts to time.Duration for use with timers and contexts.
func (d Duration) D() time.Duration { return time.Duration(d) }

// Bytes is a size in bytes that the file may write with a unit ("5MiB",
// "512KiB", "10MB") because body limits are easier to read that way.
type Bytes int64

// byteUnits are the accepted suffixes. Both SI (kB = 1000) and IEC (KiB =
// 1024) are accepted, as written, so that "10MB" means what it says.
var byteUnits = []struct {
	name string
	size int64
}{
	{"TiB", 1 << 40}, {"GiB", 1 << 30}, {"MiB", 1 << 20}, {"KiB", 1 << 10},
	{"TB", 1e12}, {"GB", 1e9}, {"MB", 1e6}, {"kB", 1e3}, {"KB", 1e3}, {"B", 1},
}

// ParseBytes parses a plain integer or an integer followed by a unit.
func ParseBytes(s string) (Bytes, error) {
	t := strings.TrimSpace(s)
	i := 0
	for i < len(t) && t[i] >= '0' && t[i] <= '9' {
		i++
	}
	digits, unit := t[:i], strings.TrimSpace(t[i:])
	mult := int64(-1)
	if unit == "" {
		mult = 1
	}
	for _, u := range byteUnits {
		if u.name == unit {
			mult = u.size
		}
	}
	if digits == "" || mult < 0 {
		return 0, fmt.Errorf("invalid size %q (want a number of bytes, optionally with a unit: kB, MB, GB, KiB, MiB, GiB)", s)
	}
	n, err := strconv.ParseInt(digits, 10, 64)
	if err != nil || n > math.MaxInt64/mult {
		return 0, fmt.Errorf("size %q is too large", s)
	}
	return Bytes(n * mult), nil
}

// UnmarshalYAML accepts both a YAML integer and a string with a unit.
func (b *Bytes) UnmarshalYAML(n *yaml.Node) error {
	var s string
	if err := n.Decode(&s); err != nil {
		return err
	}
	v, err := ParseBytes(s)
	if err != nil {
		return err
	}
	*b = v
	return nil
}

// MarshalYAML writes the size in the unit String picks.
func (b Bytes) MarshalYAML() (any, error) { return b.String(), nil }

// String uses the largest unit that divides the size exactly, so that
// a round trip through String and ParseBytes is lossless.
func (b Bytes) String() string {
	if b != 0 {
		for _, u := range byteUnits {
			if int64(b)%u.size == 0 {
				return strconv.FormatInt(int64(b)/u.size, 10) + u.name
			}
		}
	}
	return strconv.FormatInt(int64(b), 10) + "B"
}

// ChatID is a Telegram chat: a numeric id (negative for groups and
// channels) or the "@username" of a public channel. It is kept as the text
// the Bot API expects in its chat_id parameter, which holds both forms.
type ChatID string

// chatUsername is a public chat username as Telegram allows it (letters,
// digits and underscores, up to 32 characters).
var chatUsername = regexp.MustCompile(`^@[A-Za-z0-9_]{1,32}$`)

// ParseChatID accepts "-1001234567890", "12345" or "@channelname". Numeric
// strings are accepted too because a value from ${ENV} is always a string.
func ParseChatID(s string) (ChatID, error) {
	t := strings.TrimSpace(s)
	if strings.HasPrefix(t, "@") {
		if !chatUsername.MatchString(t) {
			return "", fmt.Errorf("invalid chat username %q (want @ followed by letters, digits or _)", s)
		}
		return ChatID(t), nil
	}
	id, err := strconv.ParseInt(t, 10, 64)
	if err != nil || id == 0 {
		return "", fmt.Errorf("invalid chat id %q (want a non-zero integer or \"@channelname\")", s)
	}
	return ChatID(strconv.FormatInt(id, 10)), nil
}

// UnmarshalYAML accepts a YAML integer or a string.
func (c *ChatID) UnmarshalYAML(n *yaml.Node) error {
	var s string
	if err := n.Decode(&s); err != nil {
		return err
	}
	v, err := ParseChatID(s)
	if err != nil {
		return err
	}
	*c = v
	return nil
}

// MarshalYAML writes a numeric id as a YAML integer, as users write it.
func (c ChatID) MarshalYAML() (any, error) {
	if id, ok := c.Int64(); ok {
		return id, nil
	}
	return string(c), nil
}

// String is the value for the Bot API chat_id parameter.
func (c ChatID) String() string { return string(c) }

// IsZero reports an unset chat id.
func (c ChatID) IsZero() bool { return c == "" }

// Int64 returns the numeric id; ok is false for "@username" chats, which
// some API answers (migrate_to_chat_id) replace with a number.
func (c ChatID) Int64() (id int64, ok bool) {
	id, err := strconv.ParseInt(string(c), 10, 64)
	return id, err == nil
}

// IsGroup reports a group, supergroup or channel, which Telegram limits to
// 20 messages per minute, as opposed to a private chat with a user.
func (c ChatID) IsGroup() bool {
	return strings.HasPrefix(string(c), "-") || strings.HasPrefix(string(c), "@")
}
