package sqlite

import (
	"context"
	"fmt"

	"github.com/switchboard-hq/switchboard/core"
)

// InsertOperator stores a new operator with their groups. An id or email
// (compared without regard to ASCII case) already taken is a
// *core.DuplicateError.
func (t *tx) InsertOperator(ctx context.Context, o core.Operator) error {
	_, err := t.q.ExecContext(ctx, `INSERT INTO operators
		(id, email, name, role, slots, password_hash, created_at) VALUES (?, ?, ?, ?, ?, ?, ?)`,
		o.ID, o.Email, o.Name, string(o.Role), o.Slots, o.PasswordHash, nanos(o.CreatedAt))
	if err != nil {
		return fmt.Errorf("insert operator %s: %w", o.ID, operatorDuplicate(err, o))
	}
	if err := t.setGroups(ctx, o); err != nil {
		return fmt.Errorf("insert operator %s: %w", o.ID, err)
	}
	return nil
}

// UpdateOperator replaces the operator's fields and groups.
func (t *tx) UpdateOperator(ctx context.Context, o core.Operator) error {
	n, err := t.exec(ctx, `UPDATE operators SET
		email = ?, name = ?, role = ?, slots = ?, password_hash = ?, created_at = ? WHERE id = ?`,
		o.Email, o.Name, string(o.Role), o.Slots, o.PasswordHash, nanos(o.CreatedAt), o.ID)
	if err != nil {
		return fmt.Errorf("update operator %s: %w", o.ID, operatorDuplicate(err, o))
	}
	if n == 0 {
		return fmt.Errorf("update operator %s: %w", o.ID, core.ErrNotFound)
	}
	if err := t.setGroups(ctx, o); err != nil {
		return fmt.Errorf("update operator %s: %w", o.ID, err)
	}
	return nil
}

func operatorDuplicate(err error, o core.Operator) error {
	if isUnique(err) && violates(err, "operators.email") {
		return &core.DuplicateError{Key: "operator email " + o.Email}
	}
	return duplicate(err, "operator "+o.ID)
}

func (t *tx) setGroups(ctx context.Context, o core.Operator) error {
	if _, err := t.q.ExecContext(ctx, `DELETE FROM operator_groups WHERE operator_id = ?`, o.ID); err != nil {
		return fmt.Errorf("groups: %w", err)
	}
	for i, g := range o.Groups {
		if _, err := t.q.ExecContext(ctx, `INSERT INTO operator_groups (operator_id, position, name)
			VALUES (?, ?, ?)`, o.ID, i, g); err != nil {
			return fmt.Errorf("group %s: %w", g, err)
		}
	}
	return nil
}

// InsertSession stores a session; its operator must exist.
func (t *tx) InsertSession(ctx context.Context, s core.Session) error {
	_, err := t.q.ExecContext(ctx, `INSERT INTO sessions (token_hash, operator_id, expires_at, created_at)
		VALUES (?, ?, ?, ?)`, s.TokenHash, s.OperatorID, nanos(s.ExpiresAt), nanos(s.CreatedAt))
	if err != nil {
		return fmt.Errorf("insert session of %s: %w", s.OperatorID, duplicate(err, "session"))
	}
	return nil
}

// DeleteSession removes a session. Deleting one that does not exist is not
// an error: logging out twice is harmless.
func (t *tx) DeleteSession(ctx context.Context, tokenHash string) error {
	if _, err := t.q.ExecContext(ctx, `DELETE FROM sessions WHERE token_hash = ?`, tokenHash); err != nil {
		return fmt.Errorf("delete session: %w", err)
	}
	return nil
}

// PutMacro stores a macro, replacing the one with the same id. A name
// another macro has (compared without regard to ASCII case) is a
// *core.DuplicateError.
func (t *tx) PutMacro(ctx context.Context, m core.Macro) error {
	_, err := t.q.ExecContext(ctx, `INSERT INTO macros (id, name, text, created_by, created_at)
		VALUES (?, ?, ?, ?, ?)
		ON CONFLICT (id) DO UPDATE SET name = excluded.name, text = excluded.text,
			created_by = excluded.created_by, created_at = excluded.created_at`,
		m.ID, m.Name, m.Text, m.CreatedBy, nanos(m.CreatedAt))
	if err != nil {
		return fmt.Errorf("put macro %s: %w", m.ID, duplicate(err, "macro "+m.Name))
	}
	return nil
}

// DeleteMacro removes a macro.
func (t *tx) DeleteMacro(ctx context.Context, id string) error {
	return t.mustChange(ctx, "delete macro "+id, `DELETE FROM macros WHERE id = ?`, id)
}

// InsertNotification adds an entry to an operator's notification list.
func (t *tx) InsertNotification(ctx context.Context, n core.Notification) error {
	_, err := t.q.ExecContext(ctx, `INSERT INTO notifications
		(id, operator_id, type, conversation_id, text, read, created_at) VALUES (?, ?, ?, ?, ?, ?, ?)`,
		n.ID, n.OperatorID, n.Type, n.ConversationID, n.Text, n.Read, nanos(n.CreatedAt))
	if err != nil {
		return fmt.Errorf("insert notification %s: %w", n.ID, duplicate(err, "notification "+n.ID))
	}
	return nil
}

// Enqueue adds a record to the outbox; the store signals OutboxSignal once
// the transaction commits. r.ID is assigned by the store.
func (t *tx) Enqueue(ctx context.Context, r core.OutboxRecord) error {
	_, err := t.q.ExecContext(ctx, `INSERT INTO outbox (topic, key, payload, created_at)
		VALUES (?, ?, coalesce(?, x''), ?)`, r.Topic, r.Key, r.Payload, nanos(r.CreatedAt))
	if err != nil {
		return fmt.Errorf("enqueue %s: %w", r.Topic, err)
	}
	t.enqueued = true
	return nil
}

// InsertPoisoned keeps a poisoned bus message.
func (t *tx) InsertPoisoned(ctx context.Context, p core.Poisoned) error {
	_, err := t.q.ExecContext(ctx, `INSERT INTO poisoned
		(id, topic, key, handler, reason, payload, message_id, created_at)
		VALUES (?, ?, ?, ?, ?, coalesce(?, x''), ?, ?)`,
		p.ID, p.Topic, p.Key, p.Handler, p.Reason, p.Payload, p.MessageID, nanos(p.CreatedAt))
	if err != nil {
		return fmt.Errorf("insert poisoned %s: %w", p.ID, duplicate(err, "poisoned "+p.ID))
	}
	return nil
}

// DeletePoisoned removes a poisoned message.
func (t *tx) DeletePoisoned(ctx context.Context, id string) error {
	return t.mustChange(ctx, "delete poisoned "+id, `DELETE FROM poisoned WHERE id = ?`, id)
}

// InsertEventDelivery logs a delivery attempt. A zero d.ID is assigned by
// the store.
func (t *tx) InsertEventDelivery(ctx context.Context, d core.EventDelivery) error {
	_, err := t.q.ExecContext(ctx, `INSERT INTO event_deliveries
		(id, event_id, event_type, url, attempt, status_code, error, duration_ns, at)
		VALUES (nullif(?, 0), ?, ?, ?, ?, ?, ?, ?, ?)`,
		d.ID, d.EventID, d.EventType, d.URL, d.Attempt, d.StatusCode, d.Error, int64(d.Duration), nanos(d.At))
	if err != nil {
		return fmt.Errorf("insert event delivery %s: %w", d.EventID, duplicate(err, fmt.Sprintf("event delivery %d", d.ID)))
	}
	return nil
}
