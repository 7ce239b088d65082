package config

import (
	"strings"
	"testing"
)

// TestDatabaseForLog checks that what the start-up log says about the
// database never carries the secret parts of storage.dsn.
func TestDatabaseForLog(t *testing.T) {
	t.Parallel()
	tests := []struct{ dsn, dataDir, want string }{
		{"", "/var/lib/herald", "/var/lib/herald/herald.db"},
		{"/data/h.db", "", "/data/h.db"},
		{"/data/a=b/h.db", "", "/data/a=b/h.db"},
		{"/data/h.db?_pragma=key('pw-SECRET')", "", "/data/h.db"},
		{"postgres://herald:pw-SECRET@db.example:5432/herald?sslmode=require&password=pw-SECRET", "", "postgres://db.example:5432/herald"},
		{"postgres://herald:pw-SECRET@[bad/herald", "", "postgres://[bad/herald"},
		{"host=db.example port=5432 user=herald password=pw-SECRET dbname=herald", "", "host=db.example port=5432 dbname=herald"},
	}
	for _, tt := range tests {
		c := DefaultConfig()
		c.Storage.DSN, c.DataDir = Secret(tt.dsn), tt.dataDir
		got := c.DatabaseForLog()
		if got != tt.want || strings.Contains(got, "SECRET") {
			t.Errorf("DatabaseForLog(%q) = %q, want %q", tt.dsn, got, tt.want)
		}
	}
}
