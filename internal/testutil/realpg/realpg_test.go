package realpg_test

import (
	"context"
	"errors"
	"os"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"

	"github.com/heraldhq/herald/internal/testutil/realpg"
)

func TestMain(m *testing.M) { os.Exit(realpg.Run(m)) }

// connect opens a connection closed when the test ends.
func connect(t *testing.T, dsn string) *pgx.Conn {
	t.Helper()
	conn, err := pgx.Connect(context.Background(), dsn)
	if err != nil {
		t.Fatalf("connect %s: %v", dsn, err)
	}
	t.Cleanup(func() { conn.Close(context.Background()) })
	return conn
}

func exec(t *testing.T, conn *pgx.Conn, sql string, args ...any) {
	t.Helper()
	if _, err := conn.Exec(context.Background(), sql, args...); err != nil {
		t.Fatalf("%s: %v", sql, err)
	}
}

// writeRow makes table kv in dsn's database with one row.
func writeRow(t *testing.T, dsn, v string) {
	t.Helper()
	conn := connect(t, dsn)
	exec(t, conn, "CREATE TABLE kv (k text PRIMARY KEY, v text NOT NULL)")
	exec(t, conn, "INSERT INTO kv VALUES ('k', $1)", v)
}

// readRow returns the row writeRow wrote, on a new connection.
func readRow(t *testing.T, dsn string) string {
	t.Helper()
	var v string
	if err := connect(t, dsn).QueryRow(context.Background(), "SELECT v FROM kv WHERE k = 'k'").Scan(&v); err != nil {
		t.Fatalf("read kv: %v", err)
	}
	return v
}

func TestSharedDatabasesAreSeparate(t *testing.T) {
	t.Parallel()
	s := realpg.Shared(t)
	if again := realpg.Shared(t); again != s {
		t.Fatal("Shared returned a second cluster")
	}
	begin := time.Now()
	a := s.NewDatabase(t)
	t.Logf("NewDatabase took %s", time.Since(begin))
	b := s.NewDatabase(t)
	if a == b {
		t.Fatalf("two databases with one DSN %s", a)
	}
	writeRow(t, a, "in a")
	if got := readRow(t, a); got != "in a" {
		t.Fatalf("read %q, want %q", got, "in a")
	}
	_, err := connect(t, b).Exec(context.Background(), "SELECT * FROM kv")
	var pgErr *pgconn.PgError
	if !errors.As(err, &pgErr) || pgErr.Code != "42P01" { // undefined_table
		t.Fatalf("table of database a seen in database b: %v", err)
	}
}

func TestTerminateCutsHeldConnection(t *testing.T) {
	t.Parallel()
	s := realpg.Shared(t)
	dsn := s.NewDatabase(t)
	other := s.NewDatabase(t)
	held := connect(t, dsn)
	bystander := connect(t, other)
	exec(t, held, "SELECT 1")
	if n := s.Terminate(t, dsn); n != 1 {
		t.Fatalf("Terminate cut %d connections, want 1", n)
	}
	if _, err := held.Exec(context.Background(), "SELECT 1"); err == nil {
		t.Fatal("a terminated connection still answers")
	}
	exec(t, connect(t, dsn), "SELECT 1")
	exec(t, bystander, "SELECT 1") // another database's connection is left alone
}

func TestRestartKeepsData(t *testing.T) {
	t.Parallel()
	begin := time.Now()
	s := realpg.Start(t)
	t.Logf("initdb and start took %s", time.Since(begin))
	dsn := s.NewDatabase(t)
	writeRow(t, dsn, "kept")
	port := s.Port()
	begin = time.Now()
	s.Restart(t)
	t.Logf("Restart took %s", time.Since(begin))
	if s.Port() != port {
		t.Fatalf("port %d after restart, was %d", s.Port(), port)
	}
	if got := readRow(t, dsn); got != "kept" {
		t.Fatalf("read %q after restart, want %q", got, "kept")
	}
}

func TestStopRefusesThenStartServes(t *testing.T) {
	t.Parallel()
	s := realpg.Start(t)
	dsn := s.NewDatabase(t)
	writeRow(t, dsn, "before stop")
	s.Stop(t)
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if conn, err := pgx.Connect(ctx, dsn); err == nil {
		conn.Close(ctx)
		t.Fatal("a stopped server took a connection")
	}
	s.Start(t)
	if got := readRow(t, dsn); got != "before stop" {
		t.Fatalf("read %q after Stop and Start, want %q", got, "before stop")
	}
}

func TestCrashKeepsCommitted(t *testing.T) {
	t.Parallel()
	s := realpg.Start(t)
	dsn := s.NewDatabase(t)
	writeRow(t, dsn, "committed")
	begin := time.Now()
	s.Crash(t)
	s.Start(t)
	t.Logf("Crash and recovery took %s", time.Since(begin))
	if got := readRow(t, dsn); got != "committed" {
		t.Fatalf("read %q after a crash, want %q", got, "committed")
	}
}
