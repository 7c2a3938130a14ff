package sqlite

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"

	"github.com/switchboard-hq/switchboard/core"
)

// Child rows are loaded with one query per list, whatever its length: a
// single parent by equality, several through a JSON array of their ids.

// idsArg returns the SQL condition on column and its argument that select
// the rows of ids.
func idsArg(column string, ids []string) (string, any, error) {
	if len(ids) == 1 {
		return column + " = ?", ids[0], nil
	}
	b, err := json.Marshal(ids)
	return column + " IN (SELECT value FROM json_each(?))", string(b), err
}

// loadIdentities fills in the identities of cs, in the order they were
// linked. A contact may appear more than once in cs.
func (r reader) loadIdentities(ctx context.Context, cs ...*core.Contact) error {
	if len(cs) == 0 {
		return nil
	}
	byID := make(map[string][]*core.Contact, len(cs))
	ids := make([]string, 0, len(cs))
	for _, c := range cs {
		if _, seen := byID[c.ID]; !seen {
			ids = append(ids, c.ID)
		}
		byID[c.ID] = append(byID[c.ID], c)
	}
	cond, arg, err := idsArg("contact_id", ids)
	if err != nil {
		return fmt.Errorf("identities: %w", err)
	}
	rows, err := r.q.QueryContext(ctx, `SELECT contact_id, channel, external_id, verified FROM identities
		WHERE `+cond+` ORDER BY seq`, arg)
	if err != nil {
		return fmt.Errorf("identities: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var contactID string
		var id core.Identity
		if err := rows.Scan(&contactID, &id.Channel, &id.ExternalID, &id.Verified); err != nil {
			return fmt.Errorf("identities: %w", err)
		}
		for _, c := range byID[contactID] {
			c.Identities = append(c.Identities, id)
		}
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("identities: %w", err)
	}
	return nil
}

// loadAttachments fills in the attachments of ms, which all have some.
func (r reader) loadAttachments(ctx context.Context, ms ...*core.Message) error {
	if len(ms) == 0 {
		return nil
	}
	byID := make(map[string]*core.Message, len(ms))
	ids := make([]string, 0, len(ms))
	for _, m := range ms {
		byID[m.ID] = m
		ids = append(ids, m.ID)
	}
	cond, arg, err := idsArg("message_id", ids)
	if err != nil {
		return fmt.Errorf("attachments: %w", err)
	}
	rows, err := r.q.QueryContext(ctx, `SELECT message_id, filename, mime_type, size, blob, voice, flagged
		FROM attachments WHERE `+cond+` ORDER BY message_id, position`, arg)
	if err != nil {
		return fmt.Errorf("attachments: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var messageID string
		var a core.Attachment
		if err := rows.Scan(&messageID, &a.Filename, &a.MIMEType, &a.Size, &a.Blob, &a.Voice, &a.Flagged); err != nil {
			return fmt.Errorf("attachments: %w", err)
		}
		if m := byID[messageID]; m != nil {
			m.Attachments = append(m.Attachments, a)
		}
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("attachments: %w", err)
	}
	return nil
}

// contact scans one contact row and loads its identities.
func (r reader) contact(ctx context.Context, row scanner) (core.Contact, error) {
	c, err := scanContact(row)
	if err != nil {
		return core.Contact{}, err
	}
	return c, r.loadIdentities(ctx, &c)
}

// message scans one message row and loads its attachments.
func (r reader) message(ctx context.Context, row scanner) (core.Message, error) {
	m, files, err := scanMessage(row)
	if err != nil || files == 0 {
		return m, err
	}
	return m, r.loadAttachments(ctx, &m)
}

// messages collects message rows and loads their attachments.
func (r reader) messages(ctx context.Context, rows *sql.Rows) ([]core.Message, error) {
	defer rows.Close()
	var (
		ms    []core.Message
		files []int
	)
	for rows.Next() {
		m, n, err := scanMessage(rows)
		if err != nil {
			return nil, err
		}
		ms, files = append(ms, m), append(files, n)
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	rows.Close() // before the next query on the same connection
	var with []*core.Message
	for i := range ms {
		if files[i] > 0 {
			with = append(with, &ms[i])
		}
	}
	return ms, r.loadAttachments(ctx, with...)
}
