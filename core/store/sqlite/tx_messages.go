package sqlite

import (
	"context"
	"fmt"

	"github.com/switchboard-hq/switchboard/core"
)

// messageDuplicate names the key a unique violation on messages hit.
func messageDuplicate(err error, m core.Message) error {
	if !isUnique(err) {
		return err
	}
	switch {
	case violates(err, "messages.idempotency_key"):
		return &core.DuplicateError{Key: "idempotency key " + m.IdempotencyKey}
	case violates(err, "messages.channel, messages.provider_message_id"):
		return &core.DuplicateError{Key: "provider message id " + m.Channel + "/" + m.ProviderMessageID}
	}
	return &core.DuplicateError{Key: "message " + m.ID}
}

// InsertMessage stores a message with its attachment records and indexes
// its text for search (by trigger). A second message with the same
// (Channel, ProviderMessageID) or IdempotencyKey, when not empty, is a
// *core.DuplicateError.
func (t *tx) InsertMessage(ctx context.Context, m core.Message) error {
	_, err := t.q.ExecContext(ctx, `INSERT INTO messages
		(id, conversation_id, channel, direction, kind, text, note, author, status, error, attempts,
		 provider_message_id, idempotency_key, thread_key, masked, attachments, deleted_at, edited_at,
		 sent_at, created_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		m.ID, m.ConversationID, m.Channel, string(m.Direction), string(m.Kind), m.Text, m.Note, m.Author,
		string(m.Status), m.Error, m.Attempts, m.ProviderMessageID, m.IdempotencyKey, m.ThreadKey, m.Masked,
		len(m.Attachments), nanosPtr(m.DeletedAt), nanosPtr(m.EditedAt), nanos(m.SentAt), nanos(m.CreatedAt))
	if err != nil {
		return fmt.Errorf("insert message %s: %w", m.ID, messageDuplicate(err, m))
	}
	for i, a := range m.Attachments {
		_, err := t.q.ExecContext(ctx, `INSERT INTO attachments
			(message_id, position, filename, mime_type, size, blob, voice, flagged)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
			m.ID, i, a.Filename, a.MIMEType, a.Size, a.Blob, a.Voice, a.Flagged)
		if err != nil {
			return fmt.Errorf("insert message %s attachment %d: %w", m.ID, i, err)
		}
	}
	return nil
}

// UpdateMessage replaces a message's mutable fields: text (and whether it
// was masked), status, error, attempts, provider id, deleted and edited
// times. A provider id another message of the channel has is a
// *core.DuplicateError.
func (t *tx) UpdateMessage(ctx context.Context, m core.Message) error {
	n, err := t.exec(ctx, `UPDATE messages SET
		text = ?, masked = ?, status = ?, error = ?, attempts = ?, provider_message_id = ?,
		deleted_at = ?, edited_at = ?
		WHERE id = ?`,
		m.Text, m.Masked, string(m.Status), m.Error, m.Attempts, m.ProviderMessageID,
		nanosPtr(m.DeletedAt), nanosPtr(m.EditedAt), m.ID)
	if err != nil {
		return fmt.Errorf("update message %s: %w", m.ID, messageDuplicate(err, m))
	}
	if n == 0 {
		return fmt.Errorf("update message %s: %w", m.ID, core.ErrNotFound)
	}
	return nil
}

// DeleteMessage removes a message with its attachment records and search
// entry.
func (t *tx) DeleteMessage(ctx context.Context, id string) error {
	return t.mustChange(ctx, "delete message "+id, `DELETE FROM messages WHERE id = ?`, id)
}
