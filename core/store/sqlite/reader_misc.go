package sqlite

import (
	"context"
	"fmt"
	"strings"

	"github.com/switchboard-hq/switchboard/core"
)

// Operator returns one operator.
func (r reader) Operator(ctx context.Context, id string) (core.Operator, error) {
	o, err := scanOperator(r.q.QueryRowContext(ctx, selectOperator+` WHERE o.id = ?`, id))
	if err != nil {
		return core.Operator{}, notFound(err, "operator "+id)
	}
	return o, nil
}

// OperatorByEmail returns the operator with email, compared without regard
// to ASCII case.
func (r reader) OperatorByEmail(ctx context.Context, email string) (core.Operator, error) {
	o, err := scanOperator(r.q.QueryRowContext(ctx, selectOperator+` WHERE o.email = ?`, email))
	if err != nil {
		return core.Operator{}, notFound(err, "operator "+email)
	}
	return o, nil
}

// Operators lists every operator in the order they were created.
func (r reader) Operators(ctx context.Context) ([]core.Operator, error) {
	rows, err := r.q.QueryContext(ctx, selectOperator+` ORDER BY o.created_at, o.id`)
	if err != nil {
		return nil, fmt.Errorf("operators: %w", err)
	}
	ops, err := scanAll(rows, scanOperator)
	if err != nil {
		return nil, fmt.Errorf("operators: %w", err)
	}
	return ops, nil
}

// Session returns the session with tokenHash, expired or not; the caller
// judges ExpiresAt.
func (r reader) Session(ctx context.Context, tokenHash string) (core.Session, error) {
	var (
		s                    core.Session
		expiresAt, createdAt int64
	)
	err := r.q.QueryRowContext(ctx, `SELECT token_hash, operator_id, expires_at, created_at FROM sessions
		WHERE token_hash = ?`, tokenHash).Scan(&s.TokenHash, &s.OperatorID, &expiresAt, &createdAt)
	if err != nil {
		return core.Session{}, notFound(err, "session")
	}
	s.ExpiresAt, s.CreatedAt = fromNanos(expiresAt), fromNanos(createdAt)
	return s, nil
}

const selectMacro = `SELECT id, name, text, created_by, created_at FROM macros`

func scanMacro(s scanner) (core.Macro, error) {
	var (
		m         core.Macro
		createdAt int64
	)
	if err := s.Scan(&m.ID, &m.Name, &m.Text, &m.CreatedBy, &createdAt); err != nil {
		return core.Macro{}, err
	}
	m.CreatedAt = fromNanos(createdAt)
	return m, nil
}

// Macros lists the macros by name.
func (r reader) Macros(ctx context.Context) ([]core.Macro, error) {
	rows, err := r.q.QueryContext(ctx, selectMacro+` ORDER BY name`)
	if err != nil {
		return nil, fmt.Errorf("macros: %w", err)
	}
	ms, err := scanAll(rows, scanMacro)
	if err != nil {
		return nil, fmt.Errorf("macros: %w", err)
	}
	return ms, nil
}

// MacroByName returns the macro called name, compared without regard to
// ASCII case.
func (r reader) MacroByName(ctx context.Context, name string) (core.Macro, error) {
	m, err := scanMacro(r.q.QueryRowContext(ctx, selectMacro+` WHERE name = ?`, name))
	if err != nil {
		return core.Macro{}, notFound(err, "macro "+name)
	}
	return m, nil
}

// Notifications returns an operator's newest notifications first, up to
// limit (default 100, at most 1000).
func (r reader) Notifications(ctx context.Context, operatorID string, n int) ([]core.Notification, error) {
	rows, err := r.q.QueryContext(ctx, `SELECT id, operator_id, type, conversation_id, text, read, created_at
		FROM notifications WHERE operator_id = ? ORDER BY created_at DESC, id DESC LIMIT ?`,
		operatorID, limit(n, 100, 1000))
	if err != nil {
		return nil, fmt.Errorf("notifications of %s: %w", operatorID, err)
	}
	ns, err := scanAll(rows, func(s scanner) (core.Notification, error) {
		var (
			n         core.Notification
			createdAt int64
		)
		err := s.Scan(&n.ID, &n.OperatorID, &n.Type, &n.ConversationID, &n.Text, &n.Read, &createdAt)
		n.CreatedAt = fromNanos(createdAt)
		return n, err
	})
	if err != nil {
		return nil, fmt.Errorf("notifications of %s: %w", operatorID, err)
	}
	return ns, nil
}

const selectPoisoned = `SELECT id, topic, key, handler, reason, payload, message_id, created_at FROM poisoned`

func scanPoisoned(s scanner) (core.Poisoned, error) {
	var (
		p         core.Poisoned
		createdAt int64
	)
	err := s.Scan(&p.ID, &p.Topic, &p.Key, &p.Handler, &p.Reason, &p.Payload, &p.MessageID, &createdAt)
	p.CreatedAt = fromNanos(createdAt)
	return p, err
}

// Poisoned lists every poisoned message, newest first.
func (r reader) Poisoned(ctx context.Context) ([]core.Poisoned, error) {
	rows, err := r.q.QueryContext(ctx, selectPoisoned+` ORDER BY created_at DESC, id DESC`)
	if err != nil {
		return nil, fmt.Errorf("poisoned: %w", err)
	}
	ps, err := scanAll(rows, scanPoisoned)
	if err != nil {
		return nil, fmt.Errorf("poisoned: %w", err)
	}
	return ps, nil
}

// PoisonedByID returns one poisoned message.
func (r reader) PoisonedByID(ctx context.Context, id string) (core.Poisoned, error) {
	p, err := scanPoisoned(r.q.QueryRowContext(ctx, selectPoisoned+` WHERE id = ?`, id))
	if err != nil {
		return core.Poisoned{}, notFound(err, "poisoned "+id)
	}
	return p, nil
}

// EventDeliveries returns the delivery log, newest first, filtered by event
// id and URL when given, up to q.Limit (default 100, at most 1000).
func (r reader) EventDeliveries(ctx context.Context, q core.EventDeliveryQuery) ([]core.EventDelivery, error) {
	var (
		where []string
		args  []any
	)
	if q.EventID != "" {
		where, args = append(where, "event_id = ?"), append(args, q.EventID)
	}
	if q.URL != "" {
		where, args = append(where, "url = ?"), append(args, q.URL)
	}
	query := `SELECT id, event_id, event_type, url, attempt, status_code, error, duration_ns, at FROM event_deliveries`
	if len(where) > 0 {
		query += " WHERE " + strings.Join(where, " AND ")
	}
	query += " ORDER BY id DESC LIMIT ?"
	args = append(args, limit(q.Limit, 100, 1000))
	rows, err := r.q.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, fmt.Errorf("event deliveries: %w", err)
	}
	ds, err := scanAll(rows, func(s scanner) (core.EventDelivery, error) {
		var (
			d  core.EventDelivery
			at int64
		)
		err := s.Scan(&d.ID, &d.EventID, &d.EventType, &d.URL, &d.Attempt, &d.StatusCode, &d.Error, &d.Duration, &at)
		d.At = fromNanos(at)
		return d, err
	})
	if err != nil {
		return nil, fmt.Errorf("event deliveries: %w", err)
	}
	return ds, nil
}
