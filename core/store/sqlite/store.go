package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"log/slog"
	"net/url"
	"path/filepath"
	"strconv"
	"strings"
	"sync"

	"github.com/switchboard-hq/switchboard/core"

	_ "modernc.org/sqlite" // registers the "sqlite" driver
)

// ErrClosed is returned by Update after Close.
var ErrClosed = errors.New("sqlite: store closed")

// Store is a core.Store on one SQLite database file. It is safe for
// concurrent use. Reads on Store itself go to a pool of read-only
// connections and see every committed Update; writes go through Update.
type Store struct {
	reader // reads on the read-only pool

	cfg    Config
	log    *slog.Logger
	wdb    *sql.DB // one connection, owned by the writer goroutine
	rdb    *sql.DB // read-only pool
	w      *stmtConn
	signal chan struct{}

	mu     sync.RWMutex // guards closed and sending on ops
	closed bool
	ops    chan *op
	done   chan struct{} // closed when the writer goroutine has exited
}

// Open opens (creating if needed) the database at cfg.Path, applies pending
// migrations and starts the writer. Close releases it.
func Open(ctx context.Context, cfg Config) (*Store, error) {
	cfg.setDefaults()
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	path, err := filepath.Abs(cfg.Path)
	if err != nil {
		return nil, fmt.Errorf("sqlite: path %s: %w", cfg.Path, err)
	}
	s := &Store{
		cfg:    cfg,
		log:    cfg.Logger,
		signal: make(chan struct{}, 1),
		ops:    make(chan *op, cfg.MaxBatch),
		done:   make(chan struct{}),
	}
	if err := s.openWriter(ctx, path); err != nil {
		return nil, err
	}
	if err := s.openReaders(ctx, path); err != nil {
		s.w.close()
		s.wdb.Close()
		return nil, err
	}
	s.reader = reader{q: s.rdb}
	go s.run()
	return s, nil
}

func (s *Store) openWriter(ctx context.Context, path string) error {
	db, err := sql.Open("sqlite", dsn(path, s.cfg, writerPragmas))
	if err != nil {
		return fmt.Errorf("sqlite: open %s: %w", path, err)
	}
	db.SetMaxOpenConns(1)
	db.SetMaxIdleConns(1)
	db.SetConnMaxLifetime(0)
	db.SetConnMaxIdleTime(0)
	conn, err := db.Conn(ctx)
	if err != nil {
		db.Close()
		return fmt.Errorf("sqlite: open %s: %w", path, err)
	}
	var mode string
	if err := conn.QueryRowContext(ctx, "PRAGMA journal_mode").Scan(&mode); err != nil {
		conn.Close()
		db.Close()
		return fmt.Errorf("sqlite: open %s: journal mode: %w", path, err)
	}
	if !strings.EqualFold(mode, "wal") {
		conn.Close()
		db.Close()
		return fmt.Errorf("sqlite: open %s: journal mode is %q; the file system must support WAL", path, mode)
	}
	if err := migrate(ctx, conn, s.log); err != nil {
		conn.Close()
		db.Close()
		return fmt.Errorf("sqlite: open %s: %w", path, err)
	}
	s.wdb, s.w = db, newStmtConn(conn)
	return nil
}

func (s *Store) openReaders(ctx context.Context, path string) error {
	db, err := sql.Open("sqlite", dsn(path, s.cfg, readerPragmas))
	if err != nil {
		return fmt.Errorf("sqlite: open %s for reading: %w", path, err)
	}
	db.SetMaxOpenConns(s.cfg.Readers)
	db.SetMaxIdleConns(s.cfg.Readers)
	db.SetConnMaxIdleTime(0)
	closed, err := db.Conn(ctx) // also checks the pool can connect
	if err != nil {
		db.Close()
		return fmt.Errorf("sqlite: open %s for reading: %w", path, err)
	}
	closed.Close()
	s.rdb, s.w.closed = db, closed
	return nil
}

var (
	// synchronous=FULL makes every commit fsync the WAL: nothing Update
	// acknowledged is lost on a crash. Group commit pays for it.
	writerPragmas = []string{
		"journal_mode(WAL)",
		"synchronous(FULL)",
		"foreign_keys(1)",
		"temp_store(MEMORY)",
		// 8 MB. A larger page cache measured slower: SQLite walks the
		// cache's hash table at the end of every transaction.
		"cache_size(-8000)",
	}
	readerPragmas = []string{
		"query_only(1)",
		"foreign_keys(1)",
		"temp_store(MEMORY)",
		"cache_size(-16000)",
	}
)

// dsn builds a file: URI for path with the given pragmas. Characters that
// would end the path early in a URI are escaped.
func dsn(path string, cfg Config, pragmas []string) string {
	q := url.Values{}
	q.Add("_pragma", "busy_timeout("+strconv.FormatInt(cfg.BusyTimeout.Milliseconds(), 10)+")")
	for _, p := range pragmas {
		q.Add("_pragma", p)
	}
	p := filepath.ToSlash(path)
	p = strings.NewReplacer("%", "%25", "?", "%3F", "#", "%23").Replace(p)
	return "file:" + p + "?" + q.Encode()
}

// Update implements core.Store: fn runs on the writer goroutine inside a
// savepoint of a transaction it may share with other callers, and Update
// returns once that transaction is durably committed. If ctx ends before fn
// starts, fn does not run and Update returns ctx.Err(); once fn has started,
// Update waits for the commit whatever happens to ctx, since the writes may
// already be durable. A panic in fn is returned as an error.
//
// Every caller's fn runs on the one writer goroutine, so fn should do its
// CPU-heavy work (encoding payloads, hashing) before calling Update, and
// must not call Update itself: that would wait for the writer it runs on.
func (s *Store) Update(ctx context.Context, fn func(ctx context.Context, tx core.Tx) error) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	o := getOp(ctx, fn)
	s.mu.RLock()
	if s.closed {
		s.mu.RUnlock()
		putOp(o)
		return ErrClosed
	}
	select {
	case s.ops <- o:
	case <-ctx.Done():
		s.mu.RUnlock()
		putOp(o)
		return ctx.Err()
	}
	s.mu.RUnlock()
	err := <-o.done
	putOp(o)
	return err
}

// OutboxSignal implements core.Outbox. The channel has a buffer of one, so
// a relay that was busy still sees that something arrived meanwhile.
func (s *Store) OutboxSignal() <-chan struct{} { return s.signal }

// Close waits for Update calls already queued to commit, stops the writer
// and closes the database. Update calls after Close return ErrClosed.
func (s *Store) Close() error {
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		return nil
	}
	s.closed = true
	close(s.ops)
	s.mu.Unlock()
	<-s.done

	var errs []error
	if _, err := s.w.conn.ExecContext(context.Background(), "PRAGMA optimize"); err != nil {
		s.log.Warn("sqlite: optimize", "err", err)
	}
	if err := s.w.close(); err != nil {
		errs = append(errs, err)
	}
	if err := s.wdb.Close(); err != nil {
		errs = append(errs, err)
	}
	if err := s.rdb.Close(); err != nil {
		errs = append(errs, err)
	}
	if err := errors.Join(errs...); err != nil {
		return fmt.Errorf("sqlite: close: %w", err)
	}
	return nil
}

var _ core.Store = (*Store)(nil)
