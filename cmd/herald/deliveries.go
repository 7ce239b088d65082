package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"os"
	"os/signal"
	"sort"
	"strconv"
	"strings"
	"syscall"
	"text/tabwriter"
	"unicode"

	"github.com/heraldhq/herald/internal/app"
	"github.com/heraldhq/herald/internal/config"
	"github.com/heraldhq/herald/internal/platforms"
	"github.com/heraldhq/herald/internal/store"
)

// deliveries is `herald deliveries`: the outbox as amtool alert query
// shows alerts. It reads the store in the data directory, which a running
// Herald shares (SQLite allows a reader beside its writer).
func deliveries(args []string, stdout, stderr io.Writer) error {
	var c common
	fs := newFlags("deliveries", stdout, `Reads the store of the configuration's data_dir (or storage.dsn), also while
Herald runs, and lists its deliveries newest first: channel, alert name and
labels, kind, state, attempts, when created, the next try of a pending one and
the last error.`)
	c.register(fs)
	state := fs.String("state", "all", "only deliveries in this state: pending, failed, sent or all")
	channel := fs.String("channel", "", "only deliveries to this channel")
	limit := fs.Int("limit", 50, "at most this many deliveries")
	asJSON := fs.Bool("json", false, "print JSON")
	if err := c.parse(fs, args); err != nil {
		return err
	}
	filter := store.DeliveryFilter{State: *state, Channel: *channel, Limit: *limit}
	switch *state {
	case store.StatePending, store.StateFailed, store.StateSent:
	case "all":
		filter.State = ""
	default:
		return usagef("--state: %q is not pending, failed, sent or all", *state)
	}
	if *limit <= 0 {
		return usagef("--limit: %d is not a positive number", *limit)
	}
	logger, err := c.logger(stderr)
	if err != nil {
		return err
	}
	cfg, err := config.Resolve(c.config, c.explicit, os.Getenv, platforms.Configs())
	if err != nil {
		return err
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	list, err := listDeliveries(ctx, cfg, filter, logger)
	if err != nil {
		return err
	}
	if *asJSON {
		if list == nil {
			list = []store.DeliveryInfo{}
		}
		enc := json.NewEncoder(stdout)
		enc.SetIndent("", "  ")
		return enc.Encode(list)
	}
	printDeliveries(stdout, list)
	return nil
}

func listDeliveries(ctx context.Context, cfg *config.Config, f store.DeliveryFilter, logger *slog.Logger) ([]store.DeliveryInfo, error) {
	// A missing database is not created for a look: Herald has not run here.
	if cfg.Storage.Driver != "postgres" && cfg.Storage.DSN == "" {
		if _, err := os.Stat(cfg.DatabasePath()); errors.Is(err, fs.ErrNotExist) {
			return nil, fmt.Errorf("no database at %s: Herald has not run with this data_dir", cfg.DatabasePath())
		}
	}
	st, err := app.OpenStore(ctx, cfg, logger)
	if err != nil {
		return nil, fmt.Errorf("open store %s: %w", cfg.DatabaseForLog(), err)
	}
	defer st.Close()
	return st.ListDeliveries(ctx, f)
}

const timeLayout = "2006-01-02 15:04:05"

func printDeliveries(w io.Writer, list []store.DeliveryInfo) {
	if len(list) == 0 {
		fmt.Fprintln(w, "no deliveries")
		return
	}
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "ID\tCHANNEL\tALERTNAME\tLABELS\tKIND\tSTATE\tATTEMPTS\tCREATED\tNEXT TRY\tLAST ERROR")
	for _, d := range list {
		next := "-"
		if !d.NextAttempt.IsZero() {
			next = d.NextAttempt.UTC().Format(timeLayout)
		}
		lastErr := "-"
		if d.LastError != "" {
			lastErr = cut(terminalSafe(d.LastError), 100)
		}
		fmt.Fprintf(tw, "%d\t%s\t%s\t%s\t%s\t%s\t%d\t%s\t%s\t%s\n", d.ID, terminalSafe(d.Channel),
			cut(terminalSafe(d.Labels["alertname"]), 60), cut(labelText(d.Labels), 100), d.Kind, d.State,
			d.Attempts, d.CreatedAt.UTC().Format(timeLayout), next, lastErr)
	}
	tw.Flush()
}

// labelText is the alert's labels but its name, sorted, as {a="1", b="2"}.
func labelText(labels map[string]string) string {
	names := make([]string, 0, len(labels))
	for k := range labels {
		if k != "alertname" {
			names = append(names, k)
		}
	}
	sort.Strings(names)
	parts := make([]string, len(names))
	for i, k := range names {
		parts[i] = terminalSafe(k) + "=" + strconv.Quote(labels[k])
	}
	return "{" + strings.Join(parts, ", ") + "}"
}

// terminalSafe keeps outside text (labels, errors) from being a control
// sequence or breaking the table: anything not printable, and tabs and
// newlines, are escaped.
func terminalSafe(s string) string {
	for _, r := range s {
		if !unicode.IsPrint(r) {
			q := strconv.QuoteToGraphic(s)
			return q[1 : len(q)-1]
		}
	}
	return s
}

// cut shortens s to n runes.
func cut(s string, n int) string {
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	return string(r[:n-1]) + "…"
}
