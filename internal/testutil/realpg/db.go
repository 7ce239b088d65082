package realpg

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
)

// adminTimeout bounds one administrative statement (CREATE DATABASE, a
// DROP, pg_terminate_backend's wait).
const adminTimeout = 30 * time.Second

// NewDatabase creates an empty database with a name of its own (from the
// test's name) and returns its DSN. When the test ends the database is
// dropped, whoever is still connected to it.
func (s *Server) NewDatabase(t testing.TB) string {
	t.Helper()
	name := dbName(t.Name(), s.seq.Add(1))
	if err := s.admin("CREATE DATABASE " + pgx.Identifier{name}.Sanitize()); err != nil {
		t.Fatalf("realpg: create database %s: %v", name, err)
	}
	t.Cleanup(func() {
		// A cluster stopped by the test is removed whole anyway.
		if !s.running() {
			return
		}
		if err := s.admin("DROP DATABASE " + pgx.Identifier{name}.Sanitize() + " WITH (FORCE)"); err != nil {
			t.Errorf("realpg: drop database %s: %v", name, err)
		}
	})
	return s.DSN(name)
}

// dbName is a database name that says which test made it: the test's name
// in lower case with [a-z0-9] kept and the rest as '_', cut to fit
// PostgreSQL's 63 bytes, and a number unique in the cluster.
func dbName(test string, n int64) string {
	var b strings.Builder
	for _, r := range strings.ToLower(test) {
		if b.Len() == 40 {
			break
		}
		if r >= 'a' && r <= 'z' || r >= '0' && r <= '9' {
			b.WriteRune(r)
		} else {
			b.WriteByte('_')
		}
	}
	return fmt.Sprintf("%s_%d", b.String(), n)
}

// Terminate cuts every connection to database db (its name, or a DSN of
// it as NewDatabase returns), as a network failure or an administrator
// would: the next statement on any of them fails. It waits until those
// backends have exited and returns how many there were.
func (s *Server) Terminate(t testing.TB, db string) int {
	t.Helper()
	if strings.Contains(db, "://") {
		cfg, err := pgx.ParseConfig(db)
		if err != nil {
			t.Fatalf("realpg: terminate: %v", err)
		}
		db = cfg.Database
	}
	ctx, cancel := context.WithTimeout(context.Background(), adminTimeout)
	defer cancel()
	conn, err := pgx.Connect(ctx, s.DSN("postgres"))
	if err != nil {
		t.Fatalf("realpg: terminate %s: %v", db, err)
	}
	defer conn.Close(ctx)
	// pg_terminate_backend with a timeout (PostgreSQL 14+) returns once
	// the backend is gone, so the caller sees the cut at once.
	var n int
	// MATERIALIZED: the planner must not call pg_terminate_backend on
	// rows before the filter on datname has dropped them.
	err = conn.QueryRow(ctx, `WITH victims AS MATERIALIZED (
			SELECT pid FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid())
		SELECT count(*) FROM victims WHERE pg_terminate_backend(pid, $2)`,
		db, adminTimeout.Milliseconds()).Scan(&n)
	if err != nil {
		t.Fatalf("realpg: terminate %s: %v", db, err)
	}
	return n
}

// admin runs one statement as User in database postgres.
func (s *Server) admin(sql string) error {
	ctx, cancel := context.WithTimeout(context.Background(), adminTimeout)
	defer cancel()
	conn, err := pgx.Connect(ctx, s.DSN("postgres"))
	if err != nil {
		return err
	}
	defer conn.Close(ctx)
	_, err = conn.Exec(ctx, sql)
	return err
}
