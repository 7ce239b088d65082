// Command herald receives Alertmanager notifications and delivers them to
// chats. See README.md.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"strings"
	"syscall"
	_ "time/tzdata" // templates may use tz on hosts without zoneinfo

	"github.com/heraldhq/herald/internal/app"
	"github.com/heraldhq/herald/internal/config"
	"github.com/heraldhq/herald/internal/platforms"
)

func main() { os.Exit(run(os.Args[1:], os.Stdout, os.Stderr)) }

// command is one subcommand: its name, what follows it, a line for the
// list, and what runs it.
type command struct {
	name, synopsis, summary string
	run                     func(args []string, stdout, stderr io.Writer) error
}

func commands() []command {
	return []command{
		{"serve", "[FLAGS]", "receive Alertmanager webhooks and deliver them (default)", serve},
		{"check-config", "[FLAGS] [FILE...]", "check configuration files and print every problem", checkConfig},
		{"send-test", "[FLAGS]", "send a sample alert (firing, then resolved) through Herald", sendTest},
		{"healthcheck", "[FLAGS]", "ask a running Herald whether it is healthy (or ready); exit 0 or 1", healthcheck},
		{"deliveries", "[FLAGS]", "list recent, pending and failed deliveries from the store", deliveries},
		{"migrate-store", "[FLAGS]", "copy a SQLite store into an empty PostgreSQL database", migrateStore},
		{"explain", "[FLAGS]", "show how an alert rule's expression is charted", explain},
		{"render", "[FLAGS]", "draw the chart of an expression or an alert to a PNG", renderCmd},
		{"stats", "[FLAGS]", "collect the Docker hosts once and print their summary", stats},
		{"version", "", "print the version", versionCmd},
	}
}

func lookup(name string) (command, bool) {
	for _, c := range commands() {
		if c.name == name {
			return c, true
		}
	}
	return command{}, false
}

func usage() string {
	var b strings.Builder
	b.WriteString("Usage: herald [COMMAND] [FLAGS]\n\nHerald receives Alertmanager webhooks and delivers the alerts, with charts, to chats.\n\nCommands:\n")
	for _, c := range commands() {
		fmt.Fprintf(&b, "  %-14s %s\n", c.name, c.summary)
	}
	fmt.Fprintf(&b, "  %-14s %s\n", "help", "this list, or the flags of a command: herald help COMMAND")
	b.WriteString(`
Flags:
  -h, --help     this list
  -v, --version  print the version

Run 'herald help COMMAND' (or 'herald COMMAND --help') for the flags of a command.
`)
	return b.String()
}

func run(args []string, stdout, stderr io.Writer) int {
	name := "serve"
	if len(args) > 0 {
		switch args[0] {
		case "help", "-h", "-help", "--help":
			return help(args, stdout, stderr)
		case "-v", "-version", "--version":
			if len(args) > 1 {
				fmt.Fprintf(stderr, "herald: %s takes no arguments, got %q\n\n%s", args[0], args[1], usage())
				return 2
			}
			fmt.Fprintln(stdout, versionString())
			return 0
		}
		if !strings.HasPrefix(args[0], "-") {
			name, args = args[0], args[1:]
		}
	}
	c, ok := lookup(name)
	if !ok {
		fmt.Fprintf(stderr, "herald: unknown command %q\n\n%s", name, usage())
		return 2
	}
	err := c.run(args, stdout, stderr)
	var ue usageError
	switch {
	case err == nil, errors.Is(err, flag.ErrHelp):
		return 0
	case errors.As(err, &ue):
		fmt.Fprintf(stderr, "herald %s: %s\n\n%s", name, ue.msg, commandHelp(c))
		return 2
	}
	fmt.Fprintf(stderr, "herald %s: %v\n", name, err)
	return 1
}

// help is `herald help [COMMAND]`, -h and --help.
func help(args []string, stdout, stderr io.Writer) int {
	switch {
	case len(args) == 1:
		fmt.Fprint(stdout, usage())
		return 0
	case args[0] != "help" || len(args) > 2:
		fmt.Fprintf(stderr, "herald: unexpected argument %q\n\n%s", args[len(args)-1], usage())
		return 2
	}
	c, ok := lookup(args[1])
	if !ok {
		fmt.Fprintf(stderr, "herald help: unknown command %q\n\n%s", args[1], usage())
		return 2
	}
	fmt.Fprint(stdout, commandHelp(c))
	return 0
}

// commandHelp is what `herald COMMAND --help` prints.
func commandHelp(c command) string {
	var b strings.Builder
	c.run([]string{"--help"}, &b, io.Discard)
	return b.String()
}

// usageError is a wrong invocation: run prints it with the command's
// usage and exits 2.
type usageError struct{ msg string }

func (e usageError) Error() string { return e.msg }

func usagef(format string, a ...any) error { return usageError{fmt.Sprintf(format, a...)} }

// flags is a command's flag set. It prints its help on stdout when asked
// for it, and leaves the report of a wrong flag to run.
type flags struct {
	*flag.FlagSet
	stdout io.Writer
	// about is printed between the usage line and the flags.
	about string
}

func newFlags(name string, stdout io.Writer, about string) *flags {
	c, _ := lookup(name)
	f := &flags{FlagSet: flag.NewFlagSet("herald "+name, flag.ContinueOnError), stdout: stdout, about: about}
	f.SetOutput(io.Discard)
	f.Usage = func() {
		w := f.Output()
		fmt.Fprintf(w, "Usage: herald %s %s\n\n%s.\n", name, c.synopsis, upperFirst(c.summary))
		if f.about != "" {
			fmt.Fprintf(w, "\n%s\n", strings.TrimSpace(f.about))
		}
		fmt.Fprint(w, "\nFlags:\n")
		f.printDefaults()
	}
	return f
}

func upperFirst(s string) string {
	if s == "" {
		return s
	}
	return strings.ToUpper(s[:1]) + s[1:]
}

// parse parses the flags and returns the positional arguments. Flags may
// follow arguments, as with Prometheus' tools (check-config a.yml
// --log.level debug); after "--" everything is an argument.
func (f *flags) parse(args []string) ([]string, error) {
	var pos []string
	for {
		err := f.Parse(args)
		switch {
		case errors.Is(err, flag.ErrHelp):
			f.SetOutput(f.stdout)
			f.Usage()
			return nil, flag.ErrHelp
		case err != nil:
			return nil, usageError{err.Error()}
		}
		rest := f.Args()
		if len(rest) == 0 {
			return pos, nil
		}
		if n := len(args) - len(rest); n > 0 && args[n-1] == "--" {
			return append(pos, rest...), nil
		}
		pos, args = append(pos, rest[0]), rest[1:]
	}
}

// printDefaults lists the flags with two dashes, as they are written.
func (f *flags) printDefaults() {
	w := f.Output()
	f.VisitAll(func(fl *flag.Flag) {
		name, usage := flag.UnquoteUsage(fl)
		fmt.Fprintf(w, "  --%s", fl.Name)
		if name != "" {
			fmt.Fprintf(w, " %s", name)
		}
		fmt.Fprintf(w, "\n    \t%s", strings.ReplaceAll(usage, "\n", "\n    \t"))
		if fl.DefValue != "" && fl.DefValue != "false" && fl.DefValue != "0s" {
			fmt.Fprintf(w, " (default %q)", fl.DefValue)
		}
		fmt.Fprintln(w)
	})
}

// parseNoArgs parses the flags of a command that takes no arguments.
func (f *flags) parseNoArgs(args []string) error {
	rest, err := f.parse(args)
	if err == nil && len(rest) > 0 {
		return usagef("unexpected argument %q", rest[0])
	}
	return err
}

// common are the flags every command takes.
type common struct {
	config    string
	explicit  bool
	logLevel  string
	logFormat string
}

func (c *common) register(fs *flags) {
	fs.StringVar(&c.config, "config", "herald.yml", "configuration file")
	fs.StringVar(&c.config, "config.file", "herald.yml", "the same as --config (Prometheus' name)")
	fs.StringVar(&c.logLevel, "log.level", "info", "log level: debug, info, warn, error")
	fs.StringVar(&c.logFormat, "log.format", "logfmt", "log format: logfmt or json")
}

// parse parses the flags of a command that takes no arguments and notes
// whether the configuration file was named.
func (c *common) parse(fs *flags, args []string) error {
	if err := fs.parseNoArgs(args); err != nil {
		return err
	}
	c.visit(fs)
	return nil
}

func (c *common) visit(fs *flags) {
	fs.Visit(func(f *flag.Flag) {
		if f.Name == "config" || f.Name == "config.file" {
			c.explicit = true
		}
	})
}

func (c *common) logger(w io.Writer) (*slog.Logger, error) {
	var level slog.Level
	if err := level.UnmarshalText([]byte(c.logLevel)); err != nil {
		return nil, fmt.Errorf("--log.level: %q is not one of debug, info, warn, error", c.logLevel)
	}
	opts := &slog.HandlerOptions{Level: level}
	switch c.logFormat {
	case "logfmt":
		return slog.New(slog.NewTextHandler(w, opts)), nil
	case "json":
		return slog.New(slog.NewJSONHandler(w, opts)), nil
	}
	return nil, fmt.Errorf("--log.format: %q is not logfmt or json", c.logFormat)
}

// listenFlag registers --web.listen-address and its older name
// --listen-address on one variable.
func listenFlag(fs *flags, usage string) *string {
	var addr string
	fs.StringVar(&addr, "web.listen-address", "", usage)
	fs.StringVar(&addr, "listen-address", "", "the same as --web.listen-address")
	return &addr
}

func serve(args []string, stdout, stderr io.Writer) error {
	var c common
	fs := newFlags("serve", stdout, `Herald listens on listen_address of the configuration (default :9096) or
--web.listen-address. --web.config.file takes the web configuration of
Prometheus and its exporters (TLS and basic auth of every endpoint, see
https://prometheus.io/docs/prometheus/latest/configuration/https/); with TLS,
point send-test and healthcheck at https://… with --url.`)
	c.register(fs)
	listen := listenFlag(fs, "address to listen on (overrides listen_address)")
	webConfig := fs.String("web.config.file", "", "web configuration file: TLS and basic auth of Herald's endpoints")
	if err := c.parse(fs, args); err != nil {
		return err
	}
	logger, err := c.logger(stderr)
	if err != nil {
		return err
	}
	co, err := config.NewCoordinator(c.config, c.explicit, os.Getenv, logger, platforms.Configs())
	if err != nil {
		return err
	}
	if co.Current().File == "" {
		logger.Info("no configuration file; running on defaults and environment", "looked_for", c.config)
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	hup := make(chan os.Signal, 1)
	signal.Notify(hup, syscall.SIGHUP)
	defer signal.Stop(hup)
	go func() {
		for {
			select {
			case <-ctx.Done():
				return
			case <-hup:
				if err := co.Reload(); err != nil {
					logger.Error("configuration not reloaded; the running one is kept", "err", err)
				} else {
					logger.Info("configuration reloaded")
				}
			}
		}
	}()
	return app.New(co, app.Options{ListenAddress: *listen, WebConfigFile: *webConfig, Stdout: stdout, Logger: logger}).Run(ctx)
}
