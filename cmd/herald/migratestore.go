package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"text/tabwriter"

	"github.com/heraldhq/herald/internal/config"
	"github.com/heraldhq/herald/internal/platforms"
	"github.com/heraldhq/herald/internal/store"
)

// migrateStore is `herald migrate-store`: a SQLite store copied whole into
// an empty PostgreSQL database, for a Herald that moves to replicas.
func migrateStore(args []string, stdout, stderr io.Writer) error {
	fl := newFlags("migrate-store", stdout, `Copies everything of a SQLite store into an empty PostgreSQL database in one
transaction: pending deliveries (still pending), dedup state, sent message
references, bot subscriptions, state and acks, and the collected history.
Stop Herald first: what it accepts during the copy would stay behind. Then set
storage.driver: postgres and storage.dsn_file in the configuration and start
the replicas. Example:

  herald migrate-store --from sqlite:/var/lib/herald/herald.db --to-file /run/secrets/herald-dsn`)
	var c common
	c.register(fl)
	from := fl.String("from", "", "the SQLite store: sqlite:PATH (or PATH); default: the configuration's")
	to := fl.String("to", "", "the PostgreSQL DSN, postgres://user:password@host:5432/herald (--to-file keeps the password out of the process list)")
	toFile := fl.String("to-file", "", "a file holding the PostgreSQL DSN")
	if err := c.parse(fl, args); err != nil {
		return err
	}
	path := strings.TrimPrefix(*from, "sqlite:")
	if path == "" {
		cfg, err := config.Resolve(c.config, c.explicit, os.Getenv, platforms.Configs())
		if err != nil {
			return fmt.Errorf("--from not given and the configuration cannot be read: %w", err)
		}
		if cfg.Storage.Driver != "sqlite" {
			return usagef("--from is required: the configuration's store is not SQLite")
		}
		path = cfg.DatabasePath()
	}
	dsn := *to
	switch {
	case dsn == "" && *toFile == "":
		return usagef("--to or --to-file is required: the PostgreSQL database to copy into")
	case dsn != "" && *toFile != "":
		return usagef("--to and --to-file cannot be used together")
	case *toFile != "":
		b, err := os.ReadFile(*toFile)
		if err != nil {
			return fmt.Errorf("--to-file: %w", err)
		}
		dsn = strings.TrimSpace(string(b))
	}
	if !strings.HasPrefix(dsn, "postgres://") && !strings.HasPrefix(dsn, "postgresql://") && !strings.Contains(dsn, "=") {
		return usagef("--to: not a PostgreSQL DSN (want postgres://user:password@host:5432/herald)")
	}
	logger, err := c.logger(stderr)
	if err != nil {
		return err
	}
	// A missing file is not created: the copy would move nothing.
	if _, err := os.Stat(path); errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("--from: no SQLite store at %s", path)
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	src, err := store.Open(ctx, path, store.Options{}, logger)
	if err != nil {
		return fmt.Errorf("open %s: %w", path, err)
	}
	defer src.Close()
	dst, err := store.OpenPostgres(ctx, dsn, store.Options{}, logger)
	if err != nil {
		return err
	}
	defer dst.Close()
	rep, err := src.CopyTo(ctx, dst)
	if err != nil {
		return fmt.Errorf("copy %s to %s: %w", path, config.DSNForLog(dsn), err)
	}
	w := tabwriter.NewWriter(stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(w, "TABLE\tROWS")
	for _, r := range rep.Rows {
		fmt.Fprintf(w, "%s\t%d\n", r.Table, r.Rows)
	}
	w.Flush()
	fmt.Fprintf(stdout, "\nCopied %s to %s: %d pending deliveries will be sent by the replicas.\n"+
		"Now set storage.driver: postgres and storage.dsn_file, and start Herald.\n",
		path, config.DSNForLog(dsn), rep.Pending)
	return nil
}
