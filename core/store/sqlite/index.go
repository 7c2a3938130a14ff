package sqlite

import (
	"context"
	"errors"
	"fmt"
)

// The statements that index the rows queued in the *_fts_pending tables
// (see migrations/0001_init.sql for why indexing is deferred to commit).
const (
	messagesPending = `SELECT EXISTS (SELECT 1 FROM messages_fts_pending)`
	indexMessages   = `INSERT INTO messages_fts (rowid, text)
		SELECT m.seq, m.text FROM messages_fts_pending p JOIN messages m ON m.seq = p.seq`
	clearMessages   = `DELETE FROM messages_fts_pending`
	contactsPending = `SELECT EXISTS (SELECT 1 FROM contacts_fts_pending)`
	// contacts_fts keeps its own copy of the text, so a changed contact's
	// row is dropped and rebuilt without needing its old values.
	unindexContacts = `DELETE FROM contacts_fts WHERE rowid IN (SELECT seq FROM contacts_fts_pending)`
	indexContacts   = `INSERT INTO contacts_fts (rowid, name, email, phone, fields, identities)
		SELECT c.seq, c.name, c.email, c.phone,
			coalesce((SELECT group_concat(value, ' ') FROM json_each(nullif(c.fields, ''))), ''),
			coalesce((SELECT group_concat(external_id, ' ') FROM identities WHERE contact_id = c.id), '')
		FROM contacts_fts_pending p JOIN contacts c ON c.seq = p.seq`
	clearContacts = `DELETE FROM contacts_fts_pending`
)

// index adds the rows queued by this transaction's writes to the search
// index. It runs in its own savepoint: if it fails, the queue stays for
// the next commit to retry, and the callers' writes still commit.
func (s *Store) index() error {
	var steps []string
	for _, q := range []struct{ pending, unindex, index, clear string }{
		{messagesPending, "", indexMessages, clearMessages},
		{contactsPending, unindexContacts, indexContacts, clearContacts},
	} {
		var queued bool
		if err := s.w.QueryRowContext(context.Background(), q.pending).Scan(&queued); err != nil {
			return fmt.Errorf("search index: %w", err)
		}
		if !queued {
			continue
		}
		if q.unindex != "" {
			steps = append(steps, q.unindex)
		}
		steps = append(steps, q.index, q.clear)
	}
	if len(steps) == 0 {
		return nil
	}
	if err := s.w.exec("SAVEPOINT fts"); err != nil {
		return fmt.Errorf("search index: %w", err)
	}
	for _, q := range steps {
		if err := s.w.exec(q); err != nil {
			undo := errors.Join(s.w.exec("ROLLBACK TO fts"), s.w.exec("RELEASE fts"))
			if undo != nil {
				return fmt.Errorf("search index: %w (undoing it: %v)", err, undo)
			}
			return fmt.Errorf("search index: %w", err)
		}
	}
	if err := s.w.exec("RELEASE fts"); err != nil {
		return fmt.Errorf("search index: %w", err)
	}
	return nil
}
