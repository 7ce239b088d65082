// Command herald receives Alertmanager notifications and delivers them to
// chats. See README.md.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"github.com/heraldhq/herald/internal/platforms"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"strings"
	"syscall"
	_ "time/tzdata" // templates may use tz on hosts without zoneinfo

	"github.com/heraldhq/herald/internal/app"
	"github.com/heraldhq/herald/internal/config"
)

func main() { os.Exit(run(os.Args[1:], os.Stdout, os.Stderr)) }

const usage = `Usage: herald [COMMAND] [FLAGS]

Commands:
  serve          receive Alertmanager webhooks and deliver them (default)
  check-config   check the configuration and print every problem
  send-test      send a sample alert (firing, then resolved) through Herald
  explain        show how an alert rule's expression is charted
  render         draw the chart of an expression or an alert to a PNG
  stats          collect the Docker hosts once and print their summary
  version        print the version

Run 'herald COMMAND --help' for the flags of a command.
`

// common are the flags every command takes.
type common struct {
	config    string
	explicit  bool
	logLevel  string
	logFormat string
}

func (c *common) register(fs *flag.FlagSet) {
	fs.StringVar(&c.config, "config", "herald.yml", "configuration file")
	fs.StringVar(&c.logLevel, "log.level", "info", "log level: debug, info, warn, error")
	fs.StringVar(&c.logFormat, "log.format", "logfmt", "log format: logfmt or json")
}

func (c *common) parse(fs *flag.FlagSet, args []string) error {
	if err := fs.Parse(args); err != nil {
		return err
	}
	fs.Visit(func(f *flag.Flag) {
		if f.Name == "config" {
			c.explicit = true
		}
	})
	if fs.NArg() > 0 {
		return fmt.Errorf("unexpected argument %q", fs.Arg(0))
	}
	return nil
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

func run(args []string, stdout, stderr io.Writer) int {
	cmd := "serve"
	if len(args) > 0 && !strings.HasPrefix(args[0], "-") {
		cmd, args = args[0], args[1:]
	}
	var err error
	switch cmd {
	case "serve":
		err = serve(args, stdout, stderr)
	case "check-config":
		err = checkConfig(args, stdout, stderr)
	case "send-test":
		err = sendTest(args, stdout, stderr)
	case "explain":
		err = explain(args, stdout, stderr)
	case "render":
		err = renderCmd(args, stdout, stderr)
	case "stats":
		err = stats(args, stdout, stderr)
	case "version":
		fmt.Fprintln(stdout, versionString())
	case "help", "-h", "--help":
		fmt.Fprint(stdout, usage)
	default:
		fmt.Fprintf(stderr, "herald: unknown command %q\n\n%s", cmd, usage)
		return 2
	}
	switch {
	case err == nil:
		return 0
	case errors.Is(err, flag.ErrHelp):
		return 0
	case errors.Is(err, errFlag):
		return 2 // the flag package has printed the problem and the usage
	case errors.Is(err, errUsage):
		fmt.Fprintf(stderr, "herald %s: %v\n", cmd, err)
		return 2
	}
	fmt.Fprintf(stderr, "herald %s: %v\n", cmd, err)
	return 1
}

// errFlag marks errors already reported by the flag package; errUsage marks
// other wrong invocations (exit code 2).
var (
	errFlag  = errors.New("bad flag")
	errUsage = errors.New("usage")
)

func newFlagSet(name string, stderr io.Writer) *flag.FlagSet {
	fs := flag.NewFlagSet("herald "+name, flag.ContinueOnError)
	fs.SetOutput(stderr)
	return fs
}

func parseErr(err error) error {
	if err == nil || errors.Is(err, flag.ErrHelp) {
		return err
	}
	return fmt.Errorf("%w: %v", errFlag, err)
}

func serve(args []string, stdout, stderr io.Writer) error {
	var c common
	fs := newFlagSet("serve", stderr)
	c.register(fs)
	listen := fs.String("listen-address", "", "address to listen on (overrides listen_address)")
	if err := parseErr(c.parse(fs, args)); err != nil {
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
	return app.New(co, app.Options{ListenAddress: *listen, Stdout: stdout, Logger: logger}).Run(ctx)
}

func checkConfig(args []string, stdout, stderr io.Writer) error {
	var c common
	fs := newFlagSet("check-config", stderr)
	c.register(fs)
	if err := parseErr(c.parse(fs, args)); err != nil {
		return err
	}
	cfg, err := config.Resolve(c.config, c.explicit, os.Getenv, platforms.Configs())
	if err != nil {
		var errs *config.Errors
		if errors.As(err, &errs) {
			fmt.Fprintln(stderr, err)
			return fmt.Errorf("%d problem(s) in %s", len(errs.List), c.config)
		}
		return err
	}
	src := cfg.File
	if src == "" {
		src = "defaults and environment (no " + c.config + ")"
	}
	fmt.Fprintf(stdout, "%s: OK: %d channel(s), %d route(s), default channel %s\n",
		src, len(cfg.Channels), len(cfg.Routes), cfg.DefaultChannel)
	return nil
}
