package main

import (
	"errors"
	"fmt"
	"io"
	"os"

	"github.com/prometheus/exporter-toolkit/web"

	"github.com/heraldhq/herald/internal/config"
	"github.com/heraldhq/herald/internal/platforms"
)

// checkConfig is `herald check-config [FILE...]`: each file named (or
// --config) is checked and gets its own line, like `promtool check config`.
func checkConfig(args []string, stdout, stderr io.Writer) error {
	var c common
	fs := newFlags("check-config", stdout, `Without FILE, checks --config (herald.yml in the working directory; when it
is missing and not named, the defaults and environment). Exits 1 when any
file has a problem.`)
	c.register(fs)
	webConfig := fs.String("web.config.file", "", "also check this web configuration file (TLS and basic auth, see serve)")
	files, err := fs.parse(args)
	if err != nil {
		return err
	}
	c.visit(fs)
	if len(files) > 0 && c.explicit {
		return usagef("give configuration files either as arguments or with --config, not both")
	}
	explicit := true
	if len(files) == 0 {
		files, explicit = []string{c.config}, c.explicit
	}
	failed := 0
	for _, f := range files {
		if !checkOne(f, explicit, stdout, stderr) {
			failed++
		}
	}
	if *webConfig != "" {
		if err := web.Validate(*webConfig); err != nil {
			fmt.Fprintf(stderr, "%s: FAILED: %v\n", *webConfig, err)
			failed++
		} else {
			fmt.Fprintf(stdout, "%s: OK: web configuration\n", *webConfig)
		}
	}
	if n := len(files) + btoi(*webConfig != ""); failed > 0 {
		return fmt.Errorf("%d of %d file(s) failed the check", failed, n)
	}
	return nil
}

func btoi(b bool) int {
	if b {
		return 1
	}
	return 0
}

// checkOne checks one configuration file and reports it.
func checkOne(file string, explicit bool, stdout, stderr io.Writer) bool {
	cfg, err := config.Resolve(file, explicit, os.Getenv, platforms.Configs())
	if err != nil {
		var errs *config.Errors
		if errors.As(err, &errs) {
			fmt.Fprintln(stderr, err)
			fmt.Fprintf(stderr, "%s: FAILED: %d problem(s)\n", file, len(errs.List))
		} else {
			fmt.Fprintf(stderr, "%s: FAILED: %v\n", file, err)
		}
		return false
	}
	src := cfg.File
	if src == "" {
		src = "defaults and environment (no " + file + ")"
	}
	fmt.Fprintf(stdout, "%s: OK: %d channel(s), %d route(s), default channel %s\n",
		src, len(cfg.Channels), len(cfg.Routes), cfg.DefaultChannel)
	return true
}
