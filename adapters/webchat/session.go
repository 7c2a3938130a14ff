package webchat

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/switchboard-hq/switchboard/core"
)

// History bounds.
const (
	historyFirst   = 300 // messages a widget without a cursor gets
	historyResume  = 1000
	historyConvs   = 20 // most recent conversations looked at
	recentWindow   = 30 * time.Second
	sinceTolerance = 2 * time.Second
)

// session is one socket's visitor, as the server knows them. Everything a
// visitor may see or change is derived from visitor, which only the
// server's token, a verified identity or a transfer link can set.
type session struct {
	a       *Adapter
	c       *conn
	visitor string
	ref     core.ContactRef // who the hub is told wrote
	// contactID is the visitor's contact, "" until they first wrote.
	contactID string
	convs     map[string]bool // the visitor's conversations on this channel
	ua        string
	page      PageView
	referrer  string // of the page the socket was opened on, until recorded
	typingAt  time.Time
	typing    bool
	bucket    tokenBucket
}

// refusal is why a hello is turned down.
type refusal struct{ code, msg string }

// identify works out who a hello comes from: a verified user of the site, a
// visitor continuing through a $webtransfer link, a returning visitor with
// a valid token, or a new anonymous visitor.
func (a *Adapter) identify(ctx context.Context, h HelloFrame) (*session, *refusal) {
	if a.cfg.Features.PrivacyMode && !h.Consent {
		return nil, &refusal{"consent_required", "accept the privacy notice to start the chat"}
	}
	s := &session{a: a, bucket: newBucket(a.now())}
	switch {
	case h.User != nil:
		if !a.keys.identityOK(h.User.ID, h.User.Hash) {
			return nil, &refusal{"identity_refused", "the site's signature of this user is not valid"}
		}
		s.visitor = "u:" + h.User.ID
		s.ref = core.ContactRef{ID: s.visitor, Name: h.User.Name, Email: h.User.Email, Verified: true}
	case h.Transfer != "":
		v, err := a.acceptTransfer(ctx, h.Transfer)
		if err != nil {
			return nil, &refusal{"transfer_refused", err.Error()}
		}
		s.visitor = v
	default:
		// A token of a signed-in user is honoured only with that user's
		// signature: after a logout the browser starts afresh.
		if v := a.keys.visitorOf(a.name, h.Token); v != "" && !strings.HasPrefix(v, "u:") {
			s.visitor = v
		} else {
			s.visitor = newVisitorID("v_")
		}
	}
	if s.ref.ID == "" {
		s.ref = core.ContactRef{ID: s.visitor, Name: visitorName(s.visitor)}
	}
	return s, nil
}

// visitorName is how operators see an anonymous visitor until they learn
// a name: "Web visitor 7K2Q".
func visitorName(visitor string) string {
	tail := visitor
	if len(tail) > 4 {
		tail = tail[len(tail)-4:]
	}
	return "Web visitor " + strings.ToUpper(tail)
}

// timeline is a visitor's messages on this channel, oldest first, across
// their conversations.
type timeline struct {
	contactID string
	convs     []core.Conversation // newest first
	msgs      []core.Message
}

func (a *Adapter) loadTimeline(ctx context.Context, visitor string) (timeline, error) {
	st := a.hub().Store()
	contact, err := st.ContactByIdentity(ctx, a.name, visitor)
	if errors.Is(err, core.ErrNotFound) {
		return timeline{}, nil
	}
	if err != nil {
		return timeline{}, fmt.Errorf("contact of %s: %w", visitor, err)
	}
	all, err := st.ContactConversations(ctx, contact.ID)
	if err != nil {
		return timeline{}, fmt.Errorf("conversations of %s: %w", contact.ID, err)
	}
	t := timeline{contactID: contact.ID}
	for _, c := range all {
		if c.Channel == a.name && c.TrashedAt == nil && len(t.convs) < historyConvs {
			t.convs = append(t.convs, c)
		}
	}
	now := a.now()
	for i := len(t.convs) - 1; i >= 0; i-- {
		msgs, err := st.Messages(ctx, t.convs[i].ID)
		if err != nil {
			return timeline{}, fmt.Errorf("messages of %s: %w", t.convs[i].ID, err)
		}
		for _, m := range msgs {
			if a.visible(m, now) {
				t.msgs = append(t.msgs, m)
			}
		}
	}
	sort.SliceStable(t.msgs, func(i, j int) bool { return t.msgs[i].CreatedAt.Before(t.msgs[j].CreatedAt) })
	return t, nil
}

// visible reports whether the visitor sees m: their own messages and those
// the web chat sent them, never notes, nor operator messages not yet sent
// or failed.
func (a *Adapter) visible(m core.Message, now time.Time) bool {
	if m.Note || (m.Kind != core.KindMessage && m.Kind != core.KindPostback) {
		return false
	}
	if m.Direction != core.DirectionOut {
		return true
	}
	switch m.Status {
	case core.DeliverySent, core.DeliveryDelivered, core.DeliveryRead:
		return true
	case core.DeliveryPending:
		return a.sent.has(m.ID, now) // pushed by Send, not yet recorded
	}
	return false
}

// welcomeEvent opens a session: who the visitor is, the widget, and what
// they have not seen yet.
type welcomeEvent struct {
	Type    string       `json:"type"` // "welcome"
	Token   string       `json:"token"`
	Visitor string       `json:"visitor"`
	Now     int64        `json:"now"`
	Online  bool         `json:"online"`
	Reset   bool         `json:"reset"`
	History []outMessage `json:"history"`
	// Deleted lists messages the widget already shows that were deleted
	// since its last welcome.
	Deleted    []string    `json:"deleted,omitempty"`
	Rating     bool        `json:"rating,omitempty"`
	Verify     *verifyView `json:"verify,omitempty"`
	Identified bool        `json:"identified,omitempty"`
	HasEmail   bool        `json:"has_email,omitempty"`
	Widget     widgetView  `json:"widget"`
}

// welcome writes the welcome frame and returns the ids of messages in it
// that a live copy may follow.
func (a *Adapter) welcome(ctx context.Context, s *session, h HelloFrame) (map[string]struct{}, error) {
	now := a.now()
	t, err := a.loadTimeline(ctx, s.visitor)
	if err != nil {
		return nil, err
	}
	s.contactID = t.contactID
	for _, c := range t.convs {
		s.own(c.ID)
	}
	w := welcomeEvent{
		Type: "welcome", Token: a.keys.visitorToken(a.name, s.visitor), Visitor: s.visitor, Now: now.UnixMilli(),
		Online: a.operatorsOnline(ctx), Identified: strings.HasPrefix(s.visitor, "u:"), Widget: a.widget(),
		History: []outMessage{},
	}
	start := len(t.msgs) - historyFirst
	if h.Last != "" {
		start = -1
		for i, m := range t.msgs {
			if m.ID == h.Last {
				start = i + 1
				break
			}
		}
		if start < 0 { // unknown cursor: forged, erased or another visitor's
			w.Reset, start = true, len(t.msgs)-historyFirst
		} else if len(t.msgs)-start > historyResume {
			w.Reset, start = true, len(t.msgs)-historyResume
		}
	} else {
		w.Reset = true
	}
	start = max(start, 0)
	since := time.UnixMilli(h.Since).Add(-sinceTolerance)
	if !w.Reset {
		for _, m := range t.msgs[:start] {
			if (m.DeletedAt != nil && m.DeletedAt.After(since)) || a.deleted.has(m.ID, now) {
				w.Deleted = append(w.Deleted, m.ID)
			}
		}
	}
	sent := map[string]struct{}{}
	for _, m := range t.msgs[start:] {
		w.History = append(w.History, a.view(ctx, m))
		if now.Sub(m.CreatedAt) < recentWindow || m.Status == core.DeliveryPending {
			sent[m.ID] = struct{}{}
		}
	}
	if t.contactID != "" {
		w.Rating = a.ratingPending(ctx, s.visitor) != ""
		w.Verify = a.pendingVerification(ctx, s.visitor)
		if c, err := a.hub().Store().Contact(ctx, t.contactID); err == nil {
			w.HasEmail = c.Email != ""
		}
	}
	if err := s.c.write(encode(w)); err != nil {
		return nil, fmt.Errorf("write welcome: %w", err)
	}
	return sent, nil
}

// reply queues a frame for this socket only.
func (s *session) reply(f outFrame) { s.c.enqueue(f) }

// owns reports whether conversation id is one of the visitor's on this
// channel.
func (s *session) owns(ctx context.Context, id string) bool {
	if s.convs[id] {
		return true
	}
	if s.contactID == "" {
		c, err := s.a.hub().Store().ContactByIdentity(ctx, s.a.name, s.visitor)
		if err != nil {
			return false
		}
		s.contactID = c.ID
	}
	conv, err := s.a.hub().Store().Conversation(ctx, id)
	if err != nil || conv.ContactID != s.contactID || conv.Channel != s.a.name {
		return false
	}
	s.own(id)
	return true
}

// own records a conversation as the visitor's.
func (s *session) own(id string) {
	if s.convs == nil {
		s.convs = map[string]bool{}
	}
	s.convs[id] = true
}

// tokenBucket limits how fast one socket may send messages: a burst of
// bucketSize, then one every bucketEvery.
type tokenBucket struct {
	tokens float64
	at     time.Time
}

const (
	bucketSize  = 10
	bucketEvery = time.Second
)

func newBucket(now time.Time) tokenBucket { return tokenBucket{tokens: bucketSize, at: now} }

func (b *tokenBucket) take(now time.Time) bool {
	b.tokens = min(bucketSize, b.tokens+now.Sub(b.at).Seconds()/bucketEvery.Seconds())
	b.at = now
	if b.tokens < 1 {
		return false
	}
	b.tokens--
	return true
}
