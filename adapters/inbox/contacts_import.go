package inbox

import (
	"bytes"
	"encoding/csv"
	"errors"
	"io"
	"mime"
	"net/http"
	"strings"
	"unicode/utf8"

	"github.com/switchboard-hq/switchboard/core"
)

// maxImportBody bounds a CSV import.
const maxImportBody = 5 << 20

// importColumns maps header names (lower case) to the contact detail they
// hold; every other column becomes a custom field named by its header.
var importColumns = map[string]string{
	"name": "name", "full name": "name", "email": "email", "e-mail": "email", "email address": "email",
	"phone": "phone", "phone number": "phone", "mobile": "phone", "locale": "locale", "language": "locale",
}

// importContacts reads a CSV file (UTF-8, a header row first) and imports
// its rows as contacts; see core.Hub.ImportContacts for how rows merge.
func (s *Server) importContacts(w http.ResponseWriter, r *http.Request, me core.Operator) error {
	mt, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if mt != "text/csv" && mt != "application/csv" {
		return core.Invalidf("send the contacts as CSV with Content-Type: text/csv, not %q", r.Header.Get("Content-Type"))
	}
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, maxImportBody))
	if err != nil {
		var maxBytes *http.MaxBytesError
		if errors.As(err, &maxBytes) {
			return err
		}
		return core.Invalidf("reading the CSV body: %v", err)
	}
	rows, err := parseContactsCSV(body)
	if err != nil {
		return err
	}
	res, err := s.hub.ImportContacts(r.Context(), me, rows)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, res)
	return nil
}

// parseContactsCSV turns a CSV file into contact rows. Its errors say what
// to fix in the file.
func parseContactsCSV(b []byte) ([]core.ContactRow, error) {
	b = bytes.TrimPrefix(b, []byte("\xef\xbb\xbf")) // spreadsheet programs write a BOM
	if !utf8.Valid(b) {
		return nil, core.Invalidf("the CSV file is not UTF-8 text; save it as CSV UTF-8")
	}
	cr := csv.NewReader(bytes.NewReader(b))
	cr.FieldsPerRecord = -1
	cr.TrimLeadingSpace = true
	header, err := cr.Read()
	if errors.Is(err, io.EOF) {
		return nil, core.Invalidf("the CSV file is empty; it needs a header row (name, email, phone, locale, ...)")
	}
	if err != nil {
		return nil, core.Invalidf("CSV: %v", err)
	}
	cols := make([]string, len(header))
	known := false
	for i, h := range header {
		h = strings.TrimSpace(h)
		if c, ok := importColumns[strings.ToLower(h)]; ok {
			cols[i], known = c, true
		} else {
			cols[i] = "field:" + h
		}
	}
	if !known {
		return nil, core.Invalidf("the header row names none of name, email, phone or locale: %q", strings.Join(header, ","))
	}
	var rows []core.ContactRow
	for {
		rec, err := cr.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, core.Invalidf("CSV: %v", err)
		}
		line, _ := cr.FieldPos(0)
		row := core.ContactRow{Line: line, Fields: map[string]string{}}
		empty := true
		for i, v := range rec {
			if i >= len(cols) || strings.TrimSpace(v) == "" {
				continue
			}
			empty = false
			switch cols[i] {
			case "name":
				row.Name = v
			case "email":
				row.Email = v
			case "phone":
				row.Phone = v
			case "locale":
				row.Locale = v
			default:
				row.Fields[strings.TrimPrefix(cols[i], "field:")] = v
			}
		}
		if empty {
			continue
		}
		if len(rows) == core.MaxImport {
			return nil, core.Invalidf("at most %d contacts per import; split the file", core.MaxImport)
		}
		rows = append(rows, row)
	}
	return rows, nil
}
