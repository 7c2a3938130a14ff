package sqlite

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"

	"github.com/switchboard-hq/switchboard/core"
)

func fieldsJSON(f map[string]string) (string, error) {
	if len(f) == 0 {
		return "", nil
	}
	b, err := json.Marshal(f)
	return string(b), err
}

// InsertContact stores a new contact with its identities. An id or an
// identity already stored is a *core.DuplicateError.
func (t *tx) InsertContact(ctx context.Context, c core.Contact) error {
	fields, err := fieldsJSON(c.Fields)
	if err != nil {
		return fmt.Errorf("insert contact %s: fields: %w", c.ID, err)
	}
	_, err = t.q.ExecContext(ctx, `INSERT INTO contacts
		(id, name, email, phone, locale, blocked, verified, fields, created_at, updated_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		c.ID, c.Name, c.Email, c.Phone, c.Locale, c.Blocked, c.Verified, fields,
		nanos(c.CreatedAt), nanos(c.UpdatedAt))
	if err != nil {
		return fmt.Errorf("insert contact %s: %w", c.ID, duplicate(err, "contact "+c.ID))
	}
	for _, id := range c.Identities {
		if err := t.insertIdentity(ctx, c.ID, id); err != nil {
			return fmt.Errorf("insert contact %s: %w", c.ID, err)
		}
	}
	return nil
}

func (t *tx) insertIdentity(ctx context.Context, contactID string, id core.Identity) error {
	_, err := t.q.ExecContext(ctx, `INSERT INTO identities (contact_id, channel, external_id, verified)
		VALUES (?, ?, ?, ?)`, contactID, id.Channel, id.ExternalID, id.Verified)
	return duplicate(err, "identity "+id.Channel+"/"+id.ExternalID)
}

// UpdateContact replaces the contact's fields, not its identities.
func (t *tx) UpdateContact(ctx context.Context, c core.Contact) error {
	fields, err := fieldsJSON(c.Fields)
	if err != nil {
		return fmt.Errorf("update contact %s: fields: %w", c.ID, err)
	}
	return t.mustChange(ctx, "update contact "+c.ID, `UPDATE contacts SET
		name = ?, email = ?, phone = ?, locale = ?, blocked = ?, verified = ?, fields = ?,
		created_at = ?, updated_at = ? WHERE id = ?`,
		c.Name, c.Email, c.Phone, c.Locale, c.Blocked, c.Verified, fields,
		nanos(c.CreatedAt), nanos(c.UpdatedAt), c.ID)
}

// AddIdentity links id to the contact. Linking it again to the same contact
// updates its verified flag; an identity linked to another contact is a
// *core.DuplicateError.
func (t *tx) AddIdentity(ctx context.Context, contactID string, id core.Identity) error {
	n, err := t.exec(ctx, `INSERT INTO identities (contact_id, channel, external_id, verified)
		VALUES (?, ?, ?, ?)
		ON CONFLICT (channel, external_id) DO UPDATE SET verified = excluded.verified
		WHERE contact_id = excluded.contact_id`,
		contactID, id.Channel, id.ExternalID, id.Verified)
	if err != nil {
		return fmt.Errorf("add identity %s/%s to contact %s: %w", id.Channel, id.ExternalID, contactID, err)
	}
	if n == 0 {
		return fmt.Errorf("add identity to contact %s: %w", contactID,
			&core.DuplicateError{Key: "identity " + id.Channel + "/" + id.ExternalID})
	}
	return nil
}

// EraseContact deletes the contact with every conversation, message,
// attachment record, notification and search entry of theirs, and returns
// the distinct blob references their messages held.
func (t *tx) EraseContact(ctx context.Context, contactID string) ([]string, error) {
	var exists bool
	if err := t.q.QueryRowContext(ctx, `SELECT EXISTS (SELECT 1 FROM contacts WHERE id = ?)`, contactID).Scan(&exists); err != nil {
		return nil, fmt.Errorf("erase contact %s: %w", contactID, err)
	}
	if !exists {
		return nil, fmt.Errorf("erase contact %s: %w", contactID, core.ErrNotFound)
	}
	blobs, err := t.deleteConversations(ctx, `SELECT id FROM conversations WHERE contact_id = ?`, contactID)
	if err != nil {
		return nil, fmt.Errorf("erase contact %s: %w", contactID, err)
	}
	// Identities and their search entries go with the contact (cascade and
	// triggers).
	if _, err := t.q.ExecContext(ctx, `DELETE FROM contacts WHERE id = ?`, contactID); err != nil {
		return nil, fmt.Errorf("erase contact %s: %w", contactID, err)
	}
	return blobs, nil
}

// deleteConversations deletes the conversations whose ids sel (taking
// arg) selects, with their messages (attachments and search entries follow
// by cascade and trigger), notifications and poisoned bus messages, and
// returns the distinct blob references of those messages.
func (t *tx) deleteConversations(ctx context.Context, sel string, arg any) ([]string, error) {
	rows, err := t.q.QueryContext(ctx, `SELECT DISTINCT a.blob FROM attachments a
		JOIN messages m ON m.id = a.message_id
		WHERE m.conversation_id IN (`+sel+`) ORDER BY a.blob`, arg)
	if err != nil {
		return nil, fmt.Errorf("blobs: %w", err)
	}
	blobs, err := scanAll(rows, func(s scanner) (string, error) {
		var b string
		return b, s.Scan(&b)
	})
	if err != nil {
		return nil, fmt.Errorf("blobs: %w", err)
	}
	if blobs == nil {
		blobs = []string{}
	}
	for _, q := range []string{
		// Poisoned bus messages about these conversations can no longer
		// be re-driven, and event payloads carry message text.
		`DELETE FROM poisoned WHERE key IN (` + sel + `) OR message_id IN
			(SELECT id FROM messages WHERE conversation_id IN (` + sel + `))`,
		`DELETE FROM messages WHERE conversation_id IN (` + sel + `)`,
		`DELETE FROM notifications WHERE conversation_id <> '' AND conversation_id IN (` + sel + `)`,
		`DELETE FROM conversations WHERE id IN (` + sel + `)`,
	} {
		args := make([]any, strings.Count(q, sel))
		for i := range args {
			args[i] = arg
		}
		if _, err := t.q.ExecContext(ctx, q, args...); err != nil {
			return nil, err
		}
	}
	return blobs, nil
}

// InsertConversation stores a new conversation; its contact must exist.
func (t *tx) InsertConversation(ctx context.Context, c core.Conversation) error {
	_, err := t.q.ExecContext(ctx, `INSERT INTO conversations
		(id, contact_id, channel, status, live, topic, assignee_id, grp, filter_reason, trashed_at,
		 thread_key, created_at, updated_at, last_message_at, last_contact_at, resolved_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		c.ID, c.ContactID, c.Channel, string(c.Status), c.Live, c.Topic, c.AssigneeID, c.Group, c.FilterReason,
		nanosPtr(c.TrashedAt), c.ThreadKey, nanos(c.CreatedAt), nanos(c.UpdatedAt),
		nanos(c.LastMessageAt), nanos(c.LastContactAt), nanosPtr(c.ResolvedAt))
	if err != nil {
		return fmt.Errorf("insert conversation %s: %w", c.ID, duplicate(err, "conversation "+c.ID))
	}
	return nil
}

// UpdateConversation replaces every field of the conversation but its id.
func (t *tx) UpdateConversation(ctx context.Context, c core.Conversation) error {
	return t.mustChange(ctx, "update conversation "+c.ID, `UPDATE conversations SET
		contact_id = ?, channel = ?, status = ?, live = ?, topic = ?, assignee_id = ?, grp = ?,
		filter_reason = ?, trashed_at = ?, thread_key = ?, created_at = ?, updated_at = ?,
		last_message_at = ?, last_contact_at = ?, resolved_at = ?
		WHERE id = ?`,
		c.ContactID, c.Channel, string(c.Status), c.Live, c.Topic, c.AssigneeID, c.Group,
		c.FilterReason, nanosPtr(c.TrashedAt), c.ThreadKey, nanos(c.CreatedAt), nanos(c.UpdatedAt),
		nanos(c.LastMessageAt), nanos(c.LastContactAt), nanosPtr(c.ResolvedAt), c.ID)
}

// DeleteConversation removes a conversation with its messages, attachment
// records, notifications and search entries, and returns the distinct blob
// references its messages held.
func (t *tx) DeleteConversation(ctx context.Context, id string) ([]string, error) {
	var exists bool
	if err := t.q.QueryRowContext(ctx, `SELECT EXISTS (SELECT 1 FROM conversations WHERE id = ?)`, id).Scan(&exists); err != nil {
		return nil, fmt.Errorf("delete conversation %s: %w", id, err)
	}
	if !exists {
		return nil, fmt.Errorf("delete conversation %s: %w", id, core.ErrNotFound)
	}
	blobs, err := t.deleteConversations(ctx, `SELECT ?`, id)
	if err != nil {
		return nil, fmt.Errorf("delete conversation %s: %w", id, err)
	}
	return blobs, nil
}
