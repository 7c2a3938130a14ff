package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"sync/atomic"

	"github.com/switchboard-hq/switchboard/core"
)

// tx is the core.Tx handed to an Update function. Its reads and writes run
// on the writer connection inside the op's savepoint, so reads see the
// op's own writes (and those of earlier ops in the same commit).
type tx struct {
	reader
	w        *stmtConn
	done     atomic.Bool // fn returned; any further use is a bug
	enqueued bool
}

var errTxDone = errors.New("sqlite: tx used after its Update function returned")

// txQueryer refuses statements once the Update function has returned, so a
// leaked Tx cannot write into someone else's savepoint.
type txQueryer struct{ t *tx }

func (q txQueryer) ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error) {
	if q.t.done.Load() {
		return nil, errTxDone
	}
	return q.t.w.ExecContext(ctx, query, args...)
}

func (q txQueryer) QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error) {
	if q.t.done.Load() {
		return nil, errTxDone
	}
	return q.t.w.QueryContext(ctx, query, args...)
}

func (q txQueryer) QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row {
	if q.t.done.Load() {
		// *sql.Row cannot be built with an error; a closed Conn makes one
		// that fails with sql.ErrConnDone without touching the database.
		return q.t.w.closed.QueryRowContext(ctx, query, args...)
	}
	return q.t.w.QueryRowContext(ctx, query, args...)
}

// exec runs a write and reports how many rows it changed.
func (t *tx) exec(ctx context.Context, query string, args ...any) (int64, error) {
	res, err := t.q.ExecContext(ctx, query, args...)
	if err != nil {
		return 0, err
	}
	return res.RowsAffected()
}

// mustChange runs a write that must change at least one row; none means
// what names is missing.
func (t *tx) mustChange(ctx context.Context, what string, query string, args ...any) error {
	n, err := t.exec(ctx, query, args...)
	if err != nil {
		return fmt.Errorf("%s: %w", what, err)
	}
	if n == 0 {
		return fmt.Errorf("%s: %w", what, core.ErrNotFound)
	}
	return nil
}

var _ core.Tx = (*tx)(nil)
