package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/switchboard-hq/switchboard/core"
)

// reader implements core.Reader once for both the read-only pool and the
// writer's transaction.
type reader struct{ q queryer }

// notFound turns sql.ErrNoRows into an error wrapping core.ErrNotFound and
// puts what in front of any error.
func notFound(err error, what string) error {
	if errors.Is(err, sql.ErrNoRows) {
		return fmt.Errorf("%s: %w", what, core.ErrNotFound)
	}
	return fmt.Errorf("%s: %w", what, err)
}

// Contact returns the contact with its identities.
func (r reader) Contact(ctx context.Context, id string) (core.Contact, error) {
	c, err := r.contact(ctx, r.q.QueryRowContext(ctx, selectContact+` WHERE c.id = ?`, id))
	if err != nil {
		return core.Contact{}, notFound(err, "contact "+id)
	}
	return c, nil
}

// ContactByIdentity returns the contact that channel knows as externalID.
func (r reader) ContactByIdentity(ctx context.Context, channel, externalID string) (core.Contact, error) {
	const q = selectContact + ` JOIN identities k ON k.contact_id = c.id WHERE k.channel = ? AND k.external_id = ?`
	c, err := r.contact(ctx, r.q.QueryRowContext(ctx, q, channel, externalID))
	if err != nil {
		return core.Contact{}, notFound(err, fmt.Sprintf("contact %s/%s", channel, externalID))
	}
	return c, nil
}

// Conversation returns one conversation.
func (r reader) Conversation(ctx context.Context, id string) (core.Conversation, error) {
	c, err := scanConversation(r.q.QueryRowContext(ctx, selectConversation+` WHERE v.id = ?`, id))
	if err != nil {
		return core.Conversation{}, notFound(err, "conversation "+id)
	}
	return c, nil
}

// ContactConversations lists a contact's conversations, newest first,
// trashed ones included.
func (r reader) ContactConversations(ctx context.Context, contactID string) ([]core.Conversation, error) {
	const q = selectConversation + ` WHERE v.contact_id = ? ORDER BY v.created_at DESC, v.seq DESC`
	rows, err := r.q.QueryContext(ctx, q, contactID)
	if err != nil {
		return nil, fmt.Errorf("conversations of contact %s: %w", contactID, err)
	}
	cs, err := scanAll(rows, scanConversation)
	if err != nil {
		return nil, fmt.Errorf("conversations of contact %s: %w", contactID, err)
	}
	return cs, nil
}

// ActiveConversation returns the contact's most recently created untrashed
// conversation on channel, resolved or not.
func (r reader) ActiveConversation(ctx context.Context, contactID, channel string) (core.Conversation, error) {
	const q = selectConversation + ` WHERE v.contact_id = ? AND v.channel = ? AND v.trashed_at IS NULL
		ORDER BY v.created_at DESC, v.seq DESC LIMIT 1`
	c, err := scanConversation(r.q.QueryRowContext(ctx, q, contactID, channel))
	if err != nil {
		return core.Conversation{}, notFound(err, fmt.Sprintf("active conversation of contact %s on %s", contactID, channel))
	}
	return c, nil
}

// Messages returns a conversation's transcript in the order stored, notes
// included.
func (r reader) Messages(ctx context.Context, conversationID string) ([]core.Message, error) {
	const q = selectMessage + ` WHERE m.conversation_id = ? ORDER BY m.created_at, m.seq`
	rows, err := r.q.QueryContext(ctx, q, conversationID)
	if err != nil {
		return nil, fmt.Errorf("messages of conversation %s: %w", conversationID, err)
	}
	ms, err := r.messages(ctx, rows)
	if err != nil {
		return nil, fmt.Errorf("messages of conversation %s: %w", conversationID, err)
	}
	return ms, nil
}

// Message returns one message.
func (r reader) Message(ctx context.Context, id string) (core.Message, error) {
	m, err := r.message(ctx, r.q.QueryRowContext(ctx, selectMessage+` WHERE m.id = ?`, id))
	if err != nil {
		return core.Message{}, notFound(err, "message "+id)
	}
	return m, nil
}

// MessageByProviderID returns the message channel's provider knows as
// providerID.
func (r reader) MessageByProviderID(ctx context.Context, channel, providerID string) (core.Message, error) {
	const q = `SELECT seq FROM messages WHERE channel = ? AND provider_message_id = ? AND provider_message_id <> ''`
	m, err := r.messageBy(ctx, q, channel, providerID)
	if err != nil {
		return core.Message{}, notFound(err, fmt.Sprintf("message %s/%s", channel, providerID))
	}
	return m, nil
}

// MessageByIdempotencyKey returns the message stored with key.
func (r reader) MessageByIdempotencyKey(ctx context.Context, key string) (core.Message, error) {
	const q = `SELECT seq FROM messages WHERE idempotency_key = ? AND idempotency_key <> ''`
	m, err := r.messageBy(ctx, q, key)
	if err != nil {
		return core.Message{}, notFound(err, "message with idempotency key "+key)
	}
	return m, nil
}

// messageBy finds a message's seq with probe, then loads it. These lookups
// are duplicate checks that usually miss, and a one-column miss costs a
// third of one that would return every column.
func (r reader) messageBy(ctx context.Context, probe string, args ...any) (core.Message, error) {
	var seq int64
	if err := r.q.QueryRowContext(ctx, probe, args...).Scan(&seq); err != nil {
		return core.Message{}, err
	}
	return r.message(ctx, r.q.QueryRowContext(ctx, selectMessage+` WHERE m.seq = ?`, seq))
}

// BlobReferenced reports whether any stored message still refers to ref.
func (r reader) BlobReferenced(ctx context.Context, ref string) (bool, error) {
	var ok bool
	if err := r.q.QueryRowContext(ctx, `SELECT EXISTS (SELECT 1 FROM attachments WHERE blob = ?)`, ref).Scan(&ok); err != nil {
		return false, fmt.Errorf("blob %s referenced: %w", ref, err)
	}
	return ok, nil
}

// LiveCounts returns, per operator id, how many live conversations are
// assigned to them.
func (r reader) LiveCounts(ctx context.Context) (map[string]int, error) {
	rows, err := r.q.QueryContext(ctx, `SELECT assignee_id, count(*) FROM conversations
		WHERE live = 1 AND assignee_id <> '' GROUP BY assignee_id`)
	if err != nil {
		return nil, fmt.Errorf("live counts: %w", err)
	}
	defer rows.Close()
	out := make(map[string]int)
	for rows.Next() {
		var id string
		var n int
		if err := rows.Scan(&id, &n); err != nil {
			return nil, fmt.Errorf("live counts: %w", err)
		}
		out[id] = n
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("live counts: %w", err)
	}
	return out, nil
}

// DueForAutoResolve lists up to limit (default 100, at most 1000)
// unresolved, untrashed conversations whose last message, or creation
// without messages, is at or before t, quietest first.
func (r reader) DueForAutoResolve(ctx context.Context, t time.Time, n int) ([]core.Conversation, error) {
	const q = selectConversation + ` WHERE v.status <> 'resolved' AND v.trashed_at IS NULL AND v.quiet_since <= ?
		ORDER BY v.quiet_since LIMIT ?`
	rows, err := r.q.QueryContext(ctx, q, nanos(t), limit(n, 100, 1000))
	if err != nil {
		return nil, fmt.Errorf("conversations due for auto-resolve: %w", err)
	}
	cs, err := scanAll(rows, scanConversation)
	if err != nil {
		return nil, fmt.Errorf("conversations due for auto-resolve: %w", err)
	}
	return cs, nil
}

// LiveIdleSince lists live conversations whose contact last wrote before t.
func (r reader) LiveIdleSince(ctx context.Context, t time.Time) ([]core.Conversation, error) {
	const q = selectConversation + ` WHERE v.live = 1 AND v.last_contact_at < ? ORDER BY v.last_contact_at`
	rows, err := r.q.QueryContext(ctx, q, nanos(t))
	if err != nil {
		return nil, fmt.Errorf("live conversations idle since %s: %w", t, err)
	}
	cs, err := scanAll(rows, scanConversation)
	if err != nil {
		return nil, fmt.Errorf("live conversations idle since %s: %w", t, err)
	}
	return cs, nil
}
