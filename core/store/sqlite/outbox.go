package sqlite

import (
	"context"
	"encoding/json"
	"fmt"

	"github.com/switchboard-hq/switchboard/core"
)

// OutboxPending implements core.Outbox: up to limit (default 100, at most
// 10000) committed records with ID > after, oldest first.
func (s *Store) OutboxPending(ctx context.Context, after int64, n int) ([]core.OutboxRecord, error) {
	rows, err := s.rdb.QueryContext(ctx, `SELECT id, topic, key, payload, created_at FROM outbox
		WHERE id > ? ORDER BY id LIMIT ?`, after, limit(n, 100, 10000))
	if err != nil {
		return nil, fmt.Errorf("outbox pending: %w", err)
	}
	rs, err := scanAll(rows, func(s scanner) (core.OutboxRecord, error) {
		var (
			r         core.OutboxRecord
			createdAt int64
		)
		err := s.Scan(&r.ID, &r.Topic, &r.Key, &r.Payload, &createdAt)
		r.CreatedAt = fromNanos(createdAt)
		return r, err
	})
	if err != nil {
		return nil, fmt.Errorf("outbox pending: %w", err)
	}
	return rs, nil
}

// OutboxDone implements core.Outbox: it removes handled records, sharing a
// commit with concurrent Updates. Ids no longer present are ignored.
func (s *Store) OutboxDone(ctx context.Context, ids []int64) error {
	if len(ids) == 0 {
		return nil
	}
	list, err := json.Marshal(ids)
	if err != nil {
		return fmt.Errorf("outbox done: %w", err)
	}
	err = s.Update(ctx, func(ctx context.Context, t core.Tx) error {
		_, err := t.(*tx).q.ExecContext(ctx, `DELETE FROM outbox WHERE id IN (SELECT value FROM json_each(?))`, string(list))
		return err
	})
	if err != nil {
		return fmt.Errorf("outbox done: %w", err)
	}
	return nil
}
