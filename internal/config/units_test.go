package config

import (
	"testing"
	"time"

	"go.yaml.in/yaml/v3"
)

func TestDuration(t *testing.T) {
	tests := []struct {
		in   string
		want time.Duration
		str  string
		err  bool
	}{
		{in: "30s", want: 30 * time.Second, str: "30s"},
		{in: "5m", want: 5 * time.Minute, str: "5m"},
		{in: "1d", want: 24 * time.Hour, str: "1d"},
		{in: "1h30m", want: 90 * time.Minute, str: "1h30m"},
		{in: "0", want: 0, str: "0s"},
		{in: "1.5h", err: true},
		{in: "10", err: true},
		{in: "-1s", err: true},
		{in: `""`, err: true},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			var d Duration
			err := yaml.Unmarshal([]byte(tt.in), &d)
			if tt.err {
				if err == nil {
					t.Fatalf("%q parsed as %s", tt.in, d)
				}
				return
			}
			if err != nil || d.D() != tt.want || d.String() != tt.str {
				t.Fatalf("got %v (%s), %v; want %v (%s)", d.D(), d, err, tt.want, tt.str)
			}
			out, _ := yaml.Marshal(d)
			if string(out) != tt.str+"\n" {
				t.Errorf("MarshalYAML = %q", out)
			}
		})
	}
}

func TestBytes(t *testing.T) {
	tests := []struct {
		in   string
		want Bytes
		str  string
		err  bool
	}{
		{in: "1048576", want: 1 << 20, str: "1MiB"},
		{in: "512KiB", want: 512 << 10, str: "512KiB"},
		{in: "5MiB", want: 5 << 20, str: "5MiB"},
		{in: "1GiB", want: 1 << 30, str: "1GiB"},
		{in: "10MB", want: 10_000_000, str: "10MB"},
		{in: "1kB", want: 1000, str: "1kB"},
		{in: "1KB", want: 1000, str: "1kB"},
		{in: "5 MiB", want: 5 << 20, str: "5MiB"},
		{in: "1234", want: 1234, str: "1234B"},
		{in: "100B", want: 100, str: "100B"},
		{in: "0", want: 0, str: "0B"},
		{in: "5mib", err: true},
		{in: "1.5MiB", err: true},
		{in: "-1", err: true},
		{in: "MiB", err: true},
		{in: "99999999999TiB", err: true},
		{in: "[1]", err: true},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			var b Bytes
			err := yaml.Unmarshal([]byte(tt.in), &b)
			if tt.err {
				if err == nil {
					t.Fatalf("%q parsed as %d", tt.in, b)
				}
				return
			}
			if err != nil || b != tt.want || b.String() != tt.str {
				t.Fatalf("got %d (%s), %v; want %d (%s)", b, b, err, tt.want, tt.str)
			}
			if back, err := ParseBytes(b.String()); err != nil || back != b {
				t.Errorf("round trip: %d, %v", back, err)
			}
		})
	}
}

func TestChatID(t *testing.T) {
	tests := []struct {
		in    string
		want  ChatID
		group bool
		err   bool
	}{
		{in: "-1001234567890", want: "-1001234567890", group: true},
		{in: "12345", want: "12345"},
		{in: `"-100123"`, want: "-100123", group: true},
		{in: `"@herald_alerts"`, want: "@herald_alerts", group: true},
		{in: "'@x'", want: "@x", group: true},
		{in: "0", err: true},
		{in: "herald", err: true},
		{in: `"@with space"`, err: true},
		{in: "1.5", err: true},
		{in: "{a: 1}", err: true},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			var c ChatID
			err := yaml.Unmarshal([]byte(tt.in), &c)
			if tt.err {
				if err == nil {
					t.Fatalf("%q parsed as %q", tt.in, c)
				}
				return
			}
			if err != nil || c != tt.want || c.String() != string(tt.want) || c.IsGroup() != tt.group {
				t.Fatalf("got %q (group %v), %v; want %q (group %v)", c, c.IsGroup(), err, tt.want, tt.group)
			}
			out, _ := yaml.Marshal(c)
			var back ChatID
			if err := yaml.Unmarshal(out, &back); err != nil || back != c {
				t.Errorf("round trip through %q: %q, %v", out, back, err)
			}
		})
	}
	if id, ok := ChatID("-100").Int64(); !ok || id != -100 {
		t.Errorf("Int64 = %d, %v", id, ok)
	}
	if _, ok := ChatID("@x").Int64(); ok {
		t.Errorf("Int64 of a username reported ok")
	}
	if !ChatID("").IsZero() {
		t.Errorf("IsZero")
	}
}
