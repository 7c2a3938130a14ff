// Package sqlite implements core.Store on SQLite, using the pure-Go
// modernc.org/sqlite driver, so the default Switchboard binary needs no
// database server and no cgo.
//
// The database runs in WAL mode with synchronous=FULL: once Update returns
// nil, its writes survive a crash or a kill -9. Because every durable commit
// costs an fsync, writes go through group commit: one writer goroutine takes
// whatever Update calls are waiting, runs each in its own savepoint inside a
// single transaction, and commits them together. A failing call rolls back
// to its savepoint only, so it never takes the others down with it.
//
// Reads outside a transaction use a separate pool of read-only connections
// and never wait for the writer.
//
// The schema is versioned by numbered SQL files in migrations/, applied in
// order at Open. Message text and contact details are indexed with FTS5.
package sqlite
