package sqlite

import (
	"context"
	"database/sql"
	"errors"
)

// queryer is what the query code needs: the read-only pool (*sql.DB) or,
// inside Update, the writer connection. Reader methods are written once
// against it.
type queryer interface {
	ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error)
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
}

// maxStmts bounds the statement cache; queries built at run time (list
// filters) beyond it are run unprepared.
const maxStmts = 256

// stmtConn is the writer's connection with a cache of prepared statements
// keyed by SQL text, so the hot path compiles each statement once. Only the
// writer goroutine uses it.
//
// It runs every statement with context.Background: a cancelled context
// makes SQLite interrupt the statement, and an interrupted write rolls back
// the whole transaction, which here holds other callers' writes too.
type stmtConn struct {
	conn   *sql.Conn
	stmts  map[string]*sql.Stmt
	closed *sql.Conn // already closed: gives rows that fail, for a leaked tx
}

func newStmtConn(conn *sql.Conn) *stmtConn {
	return &stmtConn{conn: conn, stmts: make(map[string]*sql.Stmt)}
}

// stmt returns the prepared statement for query, or nil if the cache is
// full or query does not prepare (the caller then runs it unprepared and
// gets the error from there).
func (c *stmtConn) stmt(query string) *sql.Stmt {
	if st, ok := c.stmts[query]; ok {
		return st
	}
	if len(c.stmts) >= maxStmts {
		return nil
	}
	st, err := c.conn.PrepareContext(context.Background(), query)
	if err != nil {
		return nil
	}
	c.stmts[query] = st
	return st
}

func (c *stmtConn) ExecContext(_ context.Context, query string, args ...any) (sql.Result, error) {
	if st := c.stmt(query); st != nil {
		return st.ExecContext(context.Background(), args...)
	}
	return c.conn.ExecContext(context.Background(), query, args...)
}

func (c *stmtConn) QueryContext(_ context.Context, query string, args ...any) (*sql.Rows, error) {
	if st := c.stmt(query); st != nil {
		return st.QueryContext(context.Background(), args...)
	}
	return c.conn.QueryContext(context.Background(), query, args...)
}

func (c *stmtConn) QueryRowContext(_ context.Context, query string, args ...any) *sql.Row {
	if st := c.stmt(query); st != nil {
		return st.QueryRowContext(context.Background(), args...)
	}
	return c.conn.QueryRowContext(context.Background(), query, args...)
}

// exec runs one of the writer's own control statements (BEGIN, SAVEPOINT).
func (c *stmtConn) exec(query string) error {
	_, err := c.ExecContext(context.Background(), query)
	return err
}

func (c *stmtConn) close() error {
	var errs []error
	for q, st := range c.stmts {
		errs = append(errs, st.Close())
		delete(c.stmts, q)
	}
	errs = append(errs, c.conn.Close())
	return errors.Join(errs...)
}
