package whatsapp

import (
	"net/url"
	"path/filepath"
	"strings"
)

// SQLiteDSN is the database/sql DSN, for modernc's "sqlite" driver, on
// which the whatsmeow driver keeps its session in the SQLite file at path
// (the hub's own database): foreign keys on, as whatsmeow's schema needs,
// and a busy timeout, since the hub writes to the same file.
func SQLiteDSN(path string) string {
	q := url.Values{}
	q.Add("_pragma", "foreign_keys(1)")
	q.Add("_pragma", "busy_timeout(10000)")
	p := strings.NewReplacer("%", "%25", "?", "%3F", "#", "%23").Replace(filepath.ToSlash(path))
	return "file:" + p + "?" + q.Encode()
}
