package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"

	"github.com/heraldhq/herald/internal/app"
	"github.com/heraldhq/herald/internal/config"
	"github.com/heraldhq/herald/internal/platforms"
)

// stats prints the Docker summary the bot's /containers shows.
func stats(args []string, stdout, stderr io.Writer) error {
	var c common
	fs := newFlags("stats", stdout, "")
	c.register(fs)
	window := durationFlag(fs.FlagSet, "window", 0, "summarise CPU and memory over this window, e.g. 1d (default: the whole history)")
	if err := c.parse(fs, args); err != nil {
		return err
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
	text, err := app.Stats(ctx, cfg, logger, *window)
	if err != nil {
		return err
	}
	fmt.Fprintln(stdout, text)
	return nil
}
