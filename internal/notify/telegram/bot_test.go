package telegram

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/heraldhq/herald/internal/alert"
	"github.com/heraldhq/herald/internal/notify"
	"github.com/heraldhq/herald/internal/testutil/alerts"
	"github.com/heraldhq/herald/internal/testutil/faketelegram"
)

// TestTokenNeverShown drives every path that formats an error or a log
// line and looks for the token in all of them.
func TestTokenNeverShown(t *testing.T) {
	fake := newFake(t, faketelegram.Limits{Unlimited: true})
	var logs alerts.LogBuffer
	bot := mustBot(t, botConfig(fake), logs.Logger())
	n := resolvedText(newNotifier(t, bot, channelConfig(userChat), logs.Logger()))
	var errs []error
	notifyErr := func(m *notify.Message) {
		if _, _, err := n.Notify(alerts.Context(t, 2*time.Second), m); err != nil {
			errs = append(errs, err)
		}
	}
	for _, f := range []faketelegram.Fault{faketelegram.FaultInternal, faketelegram.FaultBadGateway, faketelegram.FaultReset} {
		fake.FailNext(1, f)
		notifyErr(message(alert.KindFiring, nasty))
	}
	fake.FailNext(1, faketelegram.FaultHang)
	ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
	_, _, err := n.Notify(ctx, message(alert.KindFiring, nasty))
	cancel()
	errs = append(errs, err)
	resolved := message(alert.KindResolved, nasty)
	resolved.Previous = []notify.Ref{{ChatID: "111", MessageID: "999"}}
	notifyErr(resolved) // logs the failed edit
	fake.FailChat(userChat, faketelegram.FaultInternal)
	notifyErr(resolved)
	fake.Close() // connection refused from now on
	notifyErr(message(alert.KindFiring, nasty))

	if len(errs) != 6 {
		t.Fatalf("%d errors, want 6: %v", len(errs), errs)
	}
	for _, err := range errs {
		if err == nil {
			t.Fatal("missing error")
		}
		for _, s := range []string{err.Error(), fmt.Sprintf("%+v %#v", err, err), errors.Unwrap(err).Error()} {
			if strings.Contains(s, fake.Token()) {
				t.Errorf("error shows the token: %s", s)
			}
		}
	}
	if strings.Contains(logs.String(), fake.Token()) || !strings.Contains(logs.String(), "message to edit not found") {
		t.Errorf("logs:\n%s", logs.String())
	}
	// What a panic or a careless log line would print.
	for _, v := range []any{bot, n, *bot} {
		if s := fmt.Sprintf("%v %+v %#v %s", v, v, v, v); strings.Contains(s, fake.Token()) {
			t.Errorf("%T prints the token: %s", v, s)
		}
	}
	logs.Logger().Info("bot", "bot", bot, "notifier", n)
	if strings.Contains(logs.String(), fake.Token()) {
		t.Errorf("slog shows the token")
	}
}
