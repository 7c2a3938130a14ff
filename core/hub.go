package core

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"sync"
	"time"
)

// HubConfig holds what a Hub needs. Store, Blobs and Channels are required.
type HubConfig struct {
	Store Store
	Blobs BlobStore
	// Channels are the configured channel instances.
	Channels []ChannelInfo
	Clock    Clock
	IDs      IDs
	Logger   *slog.Logger
	// AutoResolveAfter resolves conversations quiet for this long
	// (default 30 days; negative disables).
	AutoResolveAfter time.Duration
	// LiveTimeout drops the LIVE label when the contact has not written for
	// this long (default 15 minutes).
	LiveTimeout time.Duration
	// DefaultSlots is the chat slot count of operators created without one
	// (default 3).
	DefaultSlots int
	// SessionTTL is how long an operator session lasts (default 30 days).
	SessionTTL time.Duration
	// EventTopics are the outbox topics every event is written to (default
	// just TopicEvents). A consumer that may stall, such as delivery to
	// external webhooks, gets a topic of its own so it never holds up the
	// others.
	EventTopics []string
	// Mailer sends the hub's own mail (verification codes, transcripts);
	// nil when no channel provides one.
	Mailer Mailer
}

func (c *HubConfig) setDefaults() {
	if c.Clock == nil {
		c.Clock = SystemClock{}
	}
	if c.IDs == nil {
		c.IDs = &RandomIDs{}
	}
	if c.Logger == nil {
		c.Logger = slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	if c.AutoResolveAfter == 0 {
		c.AutoResolveAfter = 30 * 24 * time.Hour
	}
	if c.LiveTimeout == 0 {
		c.LiveTimeout = 15 * time.Minute
	}
	if c.DefaultSlots == 0 {
		c.DefaultSlots = 3
	}
	if len(c.EventTopics) == 0 {
		c.EventTopics = []string{TopicEvents}
	}
	if c.SessionTTL == 0 {
		c.SessionTTL = 30 * 24 * time.Hour
	}
}

// Validate reports a missing dependency or a bad channel list.
func (c HubConfig) Validate() error {
	if c.Store == nil {
		return errors.New("hub config: store is required")
	}
	if c.Blobs == nil {
		return errors.New("hub config: blob store is required")
	}
	seen := map[string]bool{}
	for _, ch := range c.Channels {
		if ch.Name == "" {
			return errors.New("hub config: channel without name")
		}
		if seen[ch.Name] {
			return fmt.Errorf("hub config: channel %q listed twice", ch.Name)
		}
		seen[ch.Name] = true
	}
	return nil
}

// Hub runs the domain: it stores inbound messages, keeps conversations,
// routes them, checks rights and capabilities, and queues operator replies.
// Its methods are safe for concurrent use.
type Hub struct {
	cfg      HubConfig
	store    Store
	blobs    BlobStore
	clock    Clock
	ids      IDs
	log      *slog.Logger
	channels map[string]ChannelInfo
	presence *presenceTable

	dummyOnce sync.Once
	dummy     []byte
}

// NewHub builds a Hub from cfg.
func NewHub(cfg HubConfig) (*Hub, error) {
	cfg.setDefaults()
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	h := &Hub{
		cfg:      cfg,
		store:    cfg.Store,
		blobs:    cfg.Blobs,
		clock:    cfg.Clock,
		ids:      cfg.IDs,
		log:      cfg.Logger,
		channels: make(map[string]ChannelInfo, len(cfg.Channels)),
		presence: newPresenceTable(),
	}
	for _, ch := range cfg.Channels {
		if ch.Adapter != nil {
			ch.Capabilities = ch.Adapter.Capabilities()
		}
		h.channels[ch.Name] = ch
	}
	return h, nil
}

// Channels returns the configured channel instances.
func (h *Hub) Channels() []ChannelInfo {
	out := make([]ChannelInfo, 0, len(h.channels))
	for _, c := range h.cfg.Channels {
		out = append(out, h.channels[c.Name])
	}
	return out
}

// Channel returns one configured channel instance.
func (h *Hub) Channel(name string) (ChannelInfo, error) {
	ch, ok := h.channels[name]
	if !ok {
		return ChannelInfo{}, NotFoundf("no channel named %q", name)
	}
	return ch, nil
}

// Store gives read access to the hub's data.
func (h *Hub) Store() Reader { return h.store }

// Blobs gives access to attachment bytes.
func (h *Hub) Blobs() BlobStore { return h.blobs }

// Now is the hub's clock.
func (h *Hub) Now() time.Time { return h.clock.Now() }

// emit queues an event in tx's outbox.
func (h *Hub) emit(ctx context.Context, tx Tx, typ EventType, key string, data EventData) error {
	ev := Event{ID: h.ids.New("evt"), Type: typ, Timestamp: h.clock.Now(), Data: data}
	payload, err := json.Marshal(ev)
	if err != nil {
		return fmt.Errorf("encode event %s: %w", typ, err)
	}
	for _, topic := range h.cfg.EventTopics {
		if err := tx.Enqueue(ctx, OutboxRecord{Topic: topic, Key: key, Payload: payload, CreatedAt: ev.Timestamp}); err != nil {
			return err
		}
	}
	return nil
}

// enqueueDelivery queues an outbound message for its channel.
func (h *Hub) enqueueDelivery(ctx context.Context, tx Tx, m Message) error {
	payload, err := json.Marshal(Delivery{MessageID: m.ID})
	if err != nil {
		return fmt.Errorf("encode delivery: %w", err)
	}
	return tx.Enqueue(ctx, OutboxRecord{
		Topic: OutboundTopic(m.Channel), Key: m.ConversationID, Payload: payload, CreatedAt: h.clock.Now(),
	})
}

// notify adds an entry to an operator's notification list.
func (h *Hub) notify(ctx context.Context, tx Tx, operatorID, typ, conversationID, text string) error {
	if operatorID == "" {
		return nil
	}
	return tx.InsertNotification(ctx, Notification{
		ID: h.ids.New("ntf"), OperatorID: operatorID, Type: typ, ConversationID: conversationID,
		Text: text, CreatedAt: h.clock.Now(),
	})
}

// removeBlobs deletes blobs no stored message refers to any longer.
func (h *Hub) removeBlobs(ctx context.Context, refs []string) {
	for _, ref := range refs {
		used, err := h.store.BlobReferenced(ctx, ref)
		if err != nil || used {
			continue
		}
		if err := h.blobs.Delete(ctx, ref); err != nil {
			h.log.Warn("delete blob", "blob", ref, "err", err)
		}
	}
}

func isNotFound(err error) bool { return errors.Is(err, ErrNotFound) }
