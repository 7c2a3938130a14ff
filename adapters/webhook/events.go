package webhook

import (
	"container/list"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"sync"
	"time"

	"github.com/switchboard-hq/switchboard/core"
)

// DefaultEventTimeout bounds one event POST when EventDeps.Timeout is 0.
const DefaultEventTimeout = 10 * time.Second

// maxPendingEvents bounds how many partly delivered events are remembered.
// Forgetting one only means its next attempt is sent again to subscriptions
// that already have it, which they drop by webhook-id.
const maxPendingEvents = 4096

// Subscription is one external webhook under `events:` in the YAML file.
type Subscription struct {
	URL    string `mapstructure:"url"`
	Secret string `mapstructure:"secret"`
	// Types lists the event types delivered ("message.created"); "*"
	// delivers every type.
	Types []string `mapstructure:"types"`
}

// DeliveryLog records event delivery attempts, so operators can see what
// reached whom; the core store implements it.
type DeliveryLog interface {
	LogEventDelivery(ctx context.Context, d core.EventDelivery) error
}

// EventDeps are what an EventSender needs from the rest of the hub.
type EventDeps struct {
	// Log records every attempt; nil records nothing.
	Log DeliveryLog
	// HTTPClient posts the events; nil means http.DefaultClient's settings.
	// Redirects are never followed.
	HTTPClient *http.Client
	// Logger receives failures; nil discards.
	Logger *slog.Logger
	// Now is the signing clock; nil means time.Now.
	Now func() time.Time
	// Timeout bounds each POST; 0 means DefaultEventTimeout.
	Timeout time.Duration
}

type subscription struct {
	url      string
	redacted string
	key      []byte
	types    []string
}

func (s subscription) wants(typ string) bool {
	return slices.Contains(s.types, "*") || slices.Contains(s.types, typ)
}

// EventSender delivers events to the subscriptions, signed with Standard
// Webhooks. It is safe for concurrent use.
type EventSender struct {
	subs    []subscription
	dlog    DeliveryLog
	client  *http.Client
	log     *slog.Logger
	now     func() time.Time
	timeout time.Duration

	mu      sync.Mutex
	pending map[string]*list.Element // event id -> *partial in order
	order   *list.List               // oldest first
}

// partial is an event that some subscriptions have and others still need.
type partial struct {
	eventID string
	done    map[int]bool // subscription index -> delivered
}

var eventTypePattern = regexp.MustCompile(`^[a-z_]+(\.[a-z_]+)+$`)

// NewEventSender checks the subscriptions and builds their sender.
func NewEventSender(subs []Subscription, deps EventDeps) (*EventSender, error) {
	s := &EventSender{
		dlog: deps.Log, log: deps.Logger, now: deps.Now, timeout: deps.Timeout,
		pending: make(map[string]*list.Element), order: list.New(),
	}
	if s.log == nil {
		s.log = slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	s.log = s.log.With("component", "event webhooks")
	if s.now == nil {
		s.now = time.Now
	}
	if s.timeout <= 0 {
		s.timeout = DefaultEventTimeout
	}
	base := deps.HTTPClient
	if base == nil {
		base = &http.Client{}
	}
	s.client = noRedirects(base)
	for i, sub := range subs {
		parsed, err := parseSubscription(sub)
		if err != nil {
			return nil, fmt.Errorf("events[%d]: %w", i, err)
		}
		for _, t := range sub.Types {
			if t != "*" && !knownEventType(t) {
				s.log.Warn("subscription names an event type the hub does not emit (yet)", "url", parsed.redacted, "type", t)
			}
		}
		s.subs = append(s.subs, parsed)
	}
	return s, nil
}

func parseSubscription(sub Subscription) (subscription, error) {
	if err := checkHTTPURL(sub.URL); err != nil {
		return subscription{}, fmt.Errorf("url: %w", err)
	}
	key, err := ParseSecret(sub.Secret)
	if err != nil {
		return subscription{}, fmt.Errorf("secret: %w", err)
	}
	if len(sub.Types) == 0 {
		return subscription{}, errors.New(`types is empty; list event types or use ["*"] for all`)
	}
	for _, t := range sub.Types {
		if t != "*" && !eventTypePattern.MatchString(t) {
			return subscription{}, fmt.Errorf("types: %q is not an event type such as message.created", t)
		}
	}
	u, _ := url.Parse(sub.URL) // checked above
	return subscription{url: sub.URL, redacted: u.Redacted(), key: key, types: slices.Clone(sub.Types)}, nil
}

// Deliver POSTs one event to every subscription that wants its type.
// payload is the JSON of a core.Event and is sent byte for byte, signed with
// each subscription's secret; the webhook-id header is the event id, the
// same on every attempt. attempt (from 1) is recorded in the delivery log
// with each POST's outcome.
//
// Deliver returns nil once every matching subscription has the event. If
// any failed it returns an error so the bus retries; the retry skips the
// subscriptions that already succeeded. The error is core.Permanent only
// when every failure was (a 4xx other than 408 and 429, or a redirect), and
// so is a payload that is not an event.
func (s *EventSender) Deliver(ctx context.Context, payload []byte, attempt int) error {
	var ev struct {
		ID   string `json:"id"`
		Type string `json:"type"`
	}
	if err := json.Unmarshal(payload, &ev); err != nil {
		return core.Permanent(fmt.Errorf("decode event: %w", err))
	}
	if ev.ID == "" || ev.Type == "" {
		return core.Permanent(errors.New("event without id or type"))
	}
	var targets []int
	for i, sub := range s.subs {
		if sub.wants(ev.Type) {
			targets = append(targets, i)
		}
	}
	if len(targets) == 0 {
		return nil
	}
	done := s.delivered(ev.ID)
	errs := make([]error, len(s.subs))
	var wg sync.WaitGroup
	for _, i := range targets {
		if !done[i] {
			wg.Go(func() { errs[i] = s.deliverOne(ctx, s.subs[i], ev.ID, ev.Type, payload, attempt) })
		}
	}
	wg.Wait()

	var failed []error
	permanent := true
	for _, i := range targets {
		switch err := errs[i]; {
		case done[i]:
		case err == nil:
			done[i] = true
		default:
			var p *core.PermanentError
			if errors.As(err, &p) {
				err = p.Err // so that one permanent failure cannot mark the whole as permanent
			} else {
				permanent = false
			}
			failed = append(failed, fmt.Errorf("%s: %w", s.subs[i].redacted, err))
		}
	}
	if len(failed) == 0 {
		s.forget(ev.ID)
		return nil
	}
	s.remember(ev.ID, done)
	err := fmt.Errorf("event %s: %d of %d webhooks failed: %w", ev.ID, len(failed), len(targets), errors.Join(failed...))
	if permanent {
		return core.Permanent(err)
	}
	return err
}

func (s *EventSender) deliverOne(ctx context.Context, sub subscription, id, typ string, payload []byte, attempt int) error {
	at := s.now()
	start := time.Now()
	code, _, err := signedPost{
		client: s.client, url: sub.url, key: sub.key, id: id,
		now: at, body: payload, timeout: s.timeout,
	}.do(ctx)
	d := core.EventDelivery{
		EventID: id, EventType: typ, URL: sub.redacted, Attempt: attempt,
		StatusCode: code, Duration: time.Since(start), At: at,
	}
	if err != nil {
		d.Error = err.Error()
		s.log.WarnContext(ctx, "event not delivered", "event", id, "type", typ, "url", sub.redacted,
			"attempt", attempt, "permanent", core.IsPermanent(err), "err", err)
	}
	if s.dlog != nil {
		if lerr := s.dlog.LogEventDelivery(ctx, d); lerr != nil {
			s.log.WarnContext(ctx, "event delivery not logged", "event", id, "url", sub.redacted, "err", lerr)
		}
	}
	return err
}

// delivered returns a copy of the subscriptions that already have event id.
func (s *EventSender) delivered(id string) map[int]bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	done := make(map[int]bool)
	if e, ok := s.pending[id]; ok {
		for i := range e.Value.(*partial).done {
			done[i] = true
		}
	}
	return done
}

func (s *EventSender) remember(id string, done map[int]bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if e, ok := s.pending[id]; ok {
		e.Value.(*partial).done = done
		return
	}
	for s.order.Len() >= maxPendingEvents {
		oldest := s.order.Front()
		delete(s.pending, oldest.Value.(*partial).eventID)
		s.order.Remove(oldest)
	}
	s.pending[id] = s.order.PushBack(&partial{eventID: id, done: done})
}

func (s *EventSender) forget(id string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if e, ok := s.pending[id]; ok {
		s.order.Remove(e)
		delete(s.pending, id)
	}
}

func knownEventType(t string) bool {
	switch core.EventType(t) {
	case core.EventMessageCreated, core.EventMessageStatusChanged, core.EventMessageUpdated,
		core.EventConversationCreated, core.EventConversationStatusChanged,
		core.EventConversationAssigned, core.EventConversationUpdated,
		core.EventContactUpdated, core.EventContactErased, core.EventOperatorPresence:
		return true
	}
	return false
}
