package bot

import (
	"context"
	"time"

	"github.com/prometheus/alertmanager/pkg/labels"
	amtemplate "github.com/prometheus/alertmanager/template"

	"github.com/heraldhq/herald/internal/alertmanager"
	"github.com/heraldhq/herald/internal/grafana"
	"github.com/heraldhq/herald/internal/graph"
	"github.com/heraldhq/herald/internal/store"
)

// Store is what the bot keeps: updates seen, subscriptions, the state of
// its buttons, acknowledgements, languages and the audit of changes.
type Store interface {
	MarkUpdate(ctx context.Context, updateID int64) (bool, error)
	BotState(ctx context.Context, key string) (string, bool, error)
	SetBotState(ctx context.Context, key, value string) error
	BotKey(ctx context.Context) ([]byte, error)

	AddSubscription(ctx context.Context, s store.Subscription) (store.Subscription, error)
	Subscriptions(ctx context.Context, chatID int64) ([]store.Subscription, error)
	DeleteSubscription(ctx context.Context, chatID, id int64) (bool, error)
	DeleteSubscriptions(ctx context.Context, chatID int64) (int, error)

	SaveButton(ctx context.Context, b store.Button) (int64, error)
	Button(ctx context.Context, id int64) (store.Button, error)

	Ack(ctx context.Context, r store.AckRequest) (string, error)
	ChatLanguage(ctx context.Context, chatID int64) (string, bool, error)
	SetChatLanguage(ctx context.Context, chatID int64, lang string) error
	RecordAction(ctx context.Context, a store.Action) error
	// Firing lists the alerts Herald last heard firing, for /alerts
	// without Alertmanager.
	Firing(ctx context.Context) ([]amtemplate.Alert, error)
}

// Alertmanager lists alerts and manages silences (API v2).
type Alertmanager interface {
	Alerts(ctx context.Context, f alertmanager.AlertFilter) ([]alertmanager.Alert, error)
	Silences(ctx context.Context, matchers []*labels.Matcher) ([]alertmanager.Silence, error)
	CreateSilence(ctx context.Context, s alertmanager.Silence) (string, error)
	ExpireSilence(ctx context.Context, id string) error
}

// Grafana lists dashboards and renders panels.
type Grafana interface {
	SearchDashboards(ctx context.Context, query string, page, perPage int) ([]grafana.DashboardHit, bool, error)
	Dashboard(ctx context.Context, uid string) (*grafana.Dashboard, error)
	RenderPanel(ctx context.Context, r grafana.PanelRequest) ([]byte, error)
}

// Charts draws charts on request.
type Charts interface {
	Query(ctx context.Context, c graph.QueryChart) ([]byte, error)
	Redraw(ctx context.Context, a amtemplate.Alert, rng time.Duration) ([]byte, error)
}

// Routes says where alerts go: the configured channels of a chat, and
// whether an alert reaches a chat through routes or subscriptions.
type Routes interface {
	Channels(chatID int64) []string
	Receives(chatID int64, labels map[string]string) bool
}
