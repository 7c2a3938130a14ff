package sqlite

import (
	"errors"
	"io"
	"log/slog"
	"runtime"
	"time"
)

// Config configures a Store.
type Config struct {
	// Path is the database file; it is created with its directory's
	// permissions if missing. Required.
	Path string
	// Logger receives the store's diagnostics; nil discards them.
	Logger *slog.Logger
	// MaxBatch caps how many Update calls share one commit. Default 256.
	MaxBatch int
	// Readers is the size of the read-only connection pool. Default
	// GOMAXPROCS, at least 4.
	Readers int
	// BusyTimeout is how long a connection waits for a lock held by another
	// process before failing. Default 5s.
	BusyTimeout time.Duration
}

func (c *Config) setDefaults() {
	if c.Logger == nil {
		c.Logger = slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	if c.MaxBatch <= 0 {
		c.MaxBatch = 256
	}
	if c.Readers <= 0 {
		c.Readers = max(4, runtime.GOMAXPROCS(0))
	}
	if c.BusyTimeout <= 0 {
		c.BusyTimeout = 5 * time.Second
	}
}

// Validate reports a configuration that cannot work.
func (c Config) Validate() error {
	if c.Path == "" {
		return errors.New("sqlite: path is required")
	}
	if c.Path == ":memory:" {
		return errors.New("sqlite: an in-memory database cannot be shared by the writer and the readers; use a file in a temporary directory")
	}
	if c.MaxBatch < 0 {
		return errors.New("sqlite: max batch must not be negative")
	}
	if c.Readers < 0 {
		return errors.New("sqlite: readers must not be negative")
	}
	return nil
}
