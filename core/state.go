package core

import "context"

// ChannelState is one channel instance's own durable key-value state: poll
// offsets, mailbox checkpoints, opt-out lists. Puts are committed (group
// commit) before they return.
type ChannelState interface {
	// Get returns the value of key, or an error wrapping ErrNotFound.
	Get(ctx context.Context, key string) ([]byte, error)
	Put(ctx context.Context, key string, value []byte) error
	Delete(ctx context.Context, key string) error
}

// State returns the durable state of one channel instance.
func (h *Hub) State(channel string) ChannelState { return StoreState(h.store, channel) }

// StoreState returns the durable state of one channel instance kept in s.
// Channels get it before the hub that routes their messages exists.
func StoreState(s Store, channel string) ChannelState {
	return channelState{store: s, channel: channel}
}

type channelState struct {
	store   Store
	channel string
}

func (s channelState) Get(ctx context.Context, key string) ([]byte, error) {
	return s.store.ChannelState(ctx, s.channel, key)
}

func (s channelState) Put(ctx context.Context, key string, value []byte) error {
	return s.store.Update(ctx, func(ctx context.Context, tx Tx) error {
		return tx.PutChannelState(ctx, s.channel, key, value)
	})
}

func (s channelState) Delete(ctx context.Context, key string) error {
	return s.store.Update(ctx, func(ctx context.Context, tx Tx) error {
		return tx.DeleteChannelState(ctx, s.channel, key)
	})
}
