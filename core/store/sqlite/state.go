package sqlite

import (
	"context"
	"fmt"
	"time"
)

// ChannelState returns a channel instance's value for key.
func (r reader) ChannelState(ctx context.Context, channel, key string) ([]byte, error) {
	var v []byte
	err := r.q.QueryRowContext(ctx, `SELECT value FROM channel_state WHERE channel = ? AND key = ?`, channel, key).Scan(&v)
	if err != nil {
		return nil, notFound(err, fmt.Sprintf("channel state %s/%s", channel, key))
	}
	return v, nil
}

// PutChannelState sets a channel instance's value for key.
func (t *tx) PutChannelState(ctx context.Context, channel, key string, value []byte) error {
	if value == nil {
		value = []byte{}
	}
	_, err := t.q.ExecContext(ctx, `INSERT INTO channel_state (channel, key, value, updated_at) VALUES (?, ?, ?, ?)
		ON CONFLICT (channel, key) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at`,
		channel, key, value, time.Now().UnixNano())
	if err != nil {
		return fmt.Errorf("put channel state %s/%s: %w", channel, key, err)
	}
	return nil
}

// DeleteChannelState removes a channel instance's key; a missing key is not
// an error.
func (t *tx) DeleteChannelState(ctx context.Context, channel, key string) error {
	if _, err := t.q.ExecContext(ctx, `DELETE FROM channel_state WHERE channel = ? AND key = ?`, channel, key); err != nil {
		return fmt.Errorf("delete channel state %s/%s: %w", channel, key, err)
	}
	return nil
}
