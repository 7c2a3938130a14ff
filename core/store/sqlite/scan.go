package sqlite

import (
	"database/sql"
	"encoding/json"
	"fmt"
	"math"
	"time"

	"github.com/switchboard-hq/switchboard/core"
)

// Times are stored as unix nanoseconds; the zero time.Time is stored as 0
// and optional times as NULL.

// UnixNano is undefined outside these years; callers pass far-off bounds
// ("everything before the year 3000") and get the nearest representable one.
const minYear, maxYear = 1678, 2261

func nanos(t time.Time) int64 {
	switch {
	case t.IsZero():
		return 0
	case t.Year() > maxYear:
		return math.MaxInt64
	case t.Year() < minYear:
		return math.MinInt64
	}
	return t.UnixNano()
}

func nanosPtr(t *time.Time) any {
	if t == nil {
		return nil
	}
	return nanos(*t)
}

func fromNanos(n int64) time.Time {
	if n == 0 {
		return time.Time{}
	}
	return time.Unix(0, n).UTC()
}

func fromNullNanos(n sql.NullInt64) *time.Time {
	if !n.Valid {
		return nil
	}
	t := fromNanos(n.Int64)
	return &t
}

// scanner is *sql.Row or *sql.Rows.
type scanner interface{ Scan(dest ...any) error }

// Column lists and their scanners. Each select* constant is a full SELECT
// ... FROM clause to which a query appends its WHERE and ORDER BY. Child
// rows (identities, attachments) are loaded by children.go in one more
// query per list; building them as JSON inside SQLite measured slower.

const contactCols = `c.id, c.name, c.email, c.phone, c.locale, c.blocked, c.verified, c.fields,
	c.created_at, c.updated_at`

const selectContact = `SELECT ` + contactCols + ` FROM contacts c`

// contactDest holds a contact row while it is scanned.
type contactDest struct {
	c                    core.Contact
	fields               string
	createdAt, updatedAt int64
}

func (d *contactDest) dest() []any {
	return []any{&d.c.ID, &d.c.Name, &d.c.Email, &d.c.Phone, &d.c.Locale, &d.c.Blocked, &d.c.Verified,
		&d.fields, &d.createdAt, &d.updatedAt}
}

func (d *contactDest) contact() (core.Contact, error) {
	c := d.c
	c.CreatedAt, c.UpdatedAt = fromNanos(d.createdAt), fromNanos(d.updatedAt)
	c.Identities = []core.Identity{}
	if d.fields != "" {
		if err := json.Unmarshal([]byte(d.fields), &c.Fields); err != nil {
			return c, fmt.Errorf("contact %s fields: %w", c.ID, err)
		}
	}
	return c, nil
}

// scanContact scans a contact row; its identities are not loaded.
func scanContact(s scanner) (core.Contact, error) {
	var d contactDest
	if err := s.Scan(d.dest()...); err != nil {
		return core.Contact{}, err
	}
	return d.contact()
}

const conversationCols = `v.id, v.contact_id, v.channel, v.status, v.live, v.topic, v.assignee_id, v.grp,
	v.filter_reason, v.trashed_at, v.thread_key, v.created_at, v.updated_at, v.last_message_at,
	v.last_contact_at, v.resolved_at`

const selectConversation = `SELECT ` + conversationCols + ` FROM conversations v`

type conversationDest struct {
	v                                     core.Conversation
	trashedAt, resolvedAt                 sql.NullInt64
	createdAt, updatedAt, lastMsg, lastCt int64
}

func (d *conversationDest) dest() []any {
	v := &d.v
	return []any{&v.ID, &v.ContactID, &v.Channel, &v.Status, &v.Live, &v.Topic, &v.AssigneeID, &v.Group,
		&v.FilterReason, &d.trashedAt, &v.ThreadKey, &d.createdAt, &d.updatedAt, &d.lastMsg,
		&d.lastCt, &d.resolvedAt}
}

func (d *conversationDest) conversation() core.Conversation {
	v := d.v
	v.TrashedAt, v.ResolvedAt = fromNullNanos(d.trashedAt), fromNullNanos(d.resolvedAt)
	v.CreatedAt, v.UpdatedAt = fromNanos(d.createdAt), fromNanos(d.updatedAt)
	v.LastMessageAt, v.LastContactAt = fromNanos(d.lastMsg), fromNanos(d.lastCt)
	return v
}

func scanConversation(s scanner) (core.Conversation, error) {
	var d conversationDest
	if err := s.Scan(d.dest()...); err != nil {
		return core.Conversation{}, err
	}
	return d.conversation(), nil
}

const messageCols = `m.id, m.conversation_id, m.channel, m.direction, m.kind, m.text, m.note, m.author,
	m.status, m.error, m.attempts, m.provider_message_id, m.idempotency_key, m.thread_key, m.masked,
	m.deleted_at, m.edited_at, m.sent_at, m.created_at, m.attachments`

const selectMessage = `SELECT ` + messageCols + ` FROM messages m`

// scanMessage scans a message row. Its attachments are not loaded; their
// number is returned so the caller knows whether to.
func scanMessage(s scanner) (core.Message, int, error) {
	var (
		m                   core.Message
		deletedAt, editedAt sql.NullInt64
		sentAt, createdAt   int64
		attempts, files     int64
	)
	err := s.Scan(&m.ID, &m.ConversationID, &m.Channel, &m.Direction, &m.Kind, &m.Text, &m.Note, &m.Author,
		&m.Status, &m.Error, &attempts, &m.ProviderMessageID, &m.IdempotencyKey, &m.ThreadKey, &m.Masked,
		&deletedAt, &editedAt, &sentAt, &createdAt, &files)
	if err != nil {
		return core.Message{}, 0, err
	}
	m.Attempts = int(attempts)
	m.DeletedAt, m.EditedAt = fromNullNanos(deletedAt), fromNullNanos(editedAt)
	m.SentAt, m.CreatedAt = fromNanos(sentAt), fromNanos(createdAt)
	m.Attachments = []core.Attachment{}
	return m, int(files), nil
}

const selectOperator = `SELECT o.id, o.email, o.name, o.role, o.slots, o.password_hash, o.created_at,
	(SELECT json_group_array(g.name) FROM operator_groups g WHERE g.operator_id = o.id)
	FROM operators o`

func scanOperator(s scanner) (core.Operator, error) {
	var (
		o         core.Operator
		createdAt int64
		groups    string
	)
	if err := s.Scan(&o.ID, &o.Email, &o.Name, &o.Role, &o.Slots, &o.PasswordHash, &createdAt, &groups); err != nil {
		return core.Operator{}, err
	}
	o.CreatedAt = fromNanos(createdAt)
	o.Groups = []string{}
	if groups != "" && groups != "[]" {
		if err := json.Unmarshal([]byte(groups), &o.Groups); err != nil {
			return o, fmt.Errorf("operator %s groups: %w", o.ID, err)
		}
	}
	return o, nil
}

// scanAll collects every row of rows with scan, closing rows.
func scanAll[T any](rows *sql.Rows, scan func(scanner) (T, error)) ([]T, error) {
	defer rows.Close()
	var out []T
	for rows.Next() {
		v, err := scan(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, v)
	}
	return out, rows.Err()
}

// limit clamps a requested list size: def when unset, at most max.
func limit(n, def, max int) int {
	switch {
	case n <= 0:
		return def
	case n > max:
		return max
	}
	return n
}
