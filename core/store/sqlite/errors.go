package sqlite

import (
	"errors"
	"strings"

	"github.com/switchboard-hq/switchboard/core"
	"modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"
)

// isUnique reports whether err is a UNIQUE or PRIMARY KEY violation.
func isUnique(err error) bool {
	var se *sqlite.Error
	if !errors.As(err, &se) {
		return false
	}
	switch se.Code() {
	case sqlite3.SQLITE_CONSTRAINT_UNIQUE, sqlite3.SQLITE_CONSTRAINT_PRIMARYKEY:
		return true
	}
	return false
}

// duplicate returns a *core.DuplicateError naming key if err is a unique
// violation, and err otherwise.
func duplicate(err error, key string) error {
	if isUnique(err) {
		return &core.DuplicateError{Key: key}
	}
	return err
}

// violates reports whether a unique violation err is on the given columns,
// as SQLite names them ("messages.idempotency_key").
func violates(err error, columns string) bool {
	return strings.Contains(err.Error(), "constraint failed: "+columns)
}

// isNoTransaction reports the error of a ROLLBACK with nothing to roll back.
func isNoTransaction(err error) bool {
	return strings.Contains(err.Error(), "no transaction is active")
}
