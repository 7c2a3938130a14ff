package core

import (
	"context"
	"net/mail"
	"strings"
)

// MaxImport bounds the rows of one contact import.
const MaxImport = 5000

// ContactRow is one contact of an import, such as a line of a CSV file.
type ContactRow struct {
	// Line is where the row came from, for the report.
	Line   int
	Name   string
	Email  string
	Phone  string
	Locale string
	// Fields become the contact's custom fields.
	Fields map[string]string
}

// ImportSkip is a row an import left out, and why.
type ImportSkip struct {
	Line   int    `json:"line"`
	Reason string `json:"reason"`
}

// ImportResult reports what an import did.
type ImportResult struct {
	Created int          `json:"created"`
	Merged  int          `json:"merged"`
	Skipped []ImportSkip `json:"skipped"`
}

// ImportContacts adds contacts in one transaction; only admins may. A row
// whose email address (or, without one, phone number) belongs to an
// existing contact is merged into it: it fills the details the contact
// lacks and adds custom fields it does not have, never overwriting. Rows
// without name, email and phone, or with an invalid email address, are
// skipped with the reason. Imported contacts have no channel identity
// until they write on a channel.
func (h *Hub) ImportContacts(ctx context.Context, actor Operator, rows []ContactRow) (ImportResult, error) {
	res := ImportResult{Skipped: []ImportSkip{}}
	if actor.Role != RoleAdmin {
		return res, Forbiddenf("only an admin can import contacts")
	}
	if len(rows) > MaxImport {
		return res, Invalidf("at most %d contacts per import, not %d", MaxImport, len(rows))
	}
	err := h.store.Update(ctx, func(ctx context.Context, tx Tx) error {
		res = ImportResult{Skipped: []ImportSkip{}}
		// Contacts written in this transaction are not yet searchable, so
		// rows of this import are matched through these maps too.
		byEmail, byPhone := map[string]*Contact{}, map[string]*Contact{}
		var touched []*Contact
		for _, row := range rows {
			r, reason := cleanRow(row)
			if reason != "" {
				res.Skipped = append(res.Skipped, ImportSkip{Line: row.Line, Reason: reason})
				continue
			}
			c, err := h.importMatch(ctx, tx, r, byEmail, byPhone)
			if err != nil {
				return err
			}
			now := h.clock.Now()
			if c == nil {
				c = &Contact{ID: h.ids.New("ctc"), Name: r.Name, Email: r.Email, Phone: r.Phone, Locale: r.Locale,
					Fields: r.Fields, Identities: []Identity{}, CreatedAt: now, UpdatedAt: now}
				if c.Name == "" {
					c.Name = firstNonEmpty(r.Email, r.Phone)
				}
				if err := tx.InsertContact(ctx, *c); err != nil {
					return err
				}
				res.Created++
			} else if mergeRow(c, r) {
				c.UpdatedAt = now
				if err := tx.UpdateContact(ctx, *c); err != nil {
					return err
				}
				res.Merged++
			} else {
				continue
			}
			if c.Email != "" {
				byEmail[c.Email] = c
			}
			if c.Phone != "" {
				byPhone[phoneKey(c.Phone)] = c
			}
			touched = append(touched, c)
		}
		for _, c := range touched {
			if err := h.emit(ctx, tx, EventContactUpdated, "", EventData{Contact: c}); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return ImportResult{}, err
	}
	h.log.Info("contacts imported", "by", actor.ID, "created", res.Created, "merged", res.Merged, "skipped", len(res.Skipped))
	return res, nil
}

// cleanRow trims a row and checks it, returning why it cannot be imported.
func cleanRow(r ContactRow) (ContactRow, string) {
	r.Name, r.Phone, r.Locale = strings.TrimSpace(r.Name), strings.TrimSpace(r.Phone), strings.TrimSpace(r.Locale)
	if e := strings.TrimSpace(r.Email); e != "" {
		addr, err := mail.ParseAddress(e)
		if err != nil || addr.Name != "" {
			return r, "\"" + e + "\" is not an email address"
		}
		r.Email = strings.ToLower(addr.Address)
	} else {
		r.Email = ""
	}
	if r.Name == "" && r.Email == "" && r.Phone == "" {
		return r, "the row has no name, email or phone"
	}
	fields := map[string]string{}
	for k, v := range r.Fields {
		if k, v = strings.TrimSpace(k), strings.TrimSpace(v); k != "" && v != "" {
			fields[k] = v
		}
	}
	r.Fields = fields
	return r, ""
}

// importMatch finds the contact a row belongs to: by email, else by phone.
func (h *Hub) importMatch(ctx context.Context, tx Tx, r ContactRow, byEmail, byPhone map[string]*Contact) (*Contact, error) {
	if r.Email != "" {
		if c := byEmail[r.Email]; c != nil {
			return c, nil
		}
		return findContact(ctx, tx, r.Email, func(c Contact) bool { return strings.EqualFold(c.Email, r.Email) })
	}
	if r.Phone == "" {
		return nil, nil
	}
	if c := byPhone[phoneKey(r.Phone)]; c != nil {
		return c, nil
	}
	return findContact(ctx, tx, r.Phone, func(c Contact) bool { return phoneKey(c.Phone) == phoneKey(r.Phone) })
}

func findContact(ctx context.Context, tx Tx, text string, same func(Contact) bool) (*Contact, error) {
	cs, err := tx.Contacts(ctx, ContactQuery{Text: text, Limit: 50})
	if err != nil {
		return nil, err
	}
	for i := range cs {
		if same(cs[i]) {
			return &cs[i], nil
		}
	}
	return nil, nil
}

// mergeRow fills what c lacks from r and reports whether c changed.
func mergeRow(c *Contact, r ContactRow) bool {
	changed := false
	fill := func(dst *string, v string) {
		if *dst == "" && v != "" {
			*dst, changed = v, true
		}
	}
	fill(&c.Name, r.Name)
	fill(&c.Email, r.Email)
	fill(&c.Phone, r.Phone)
	fill(&c.Locale, r.Locale)
	for k, v := range r.Fields {
		if _, ok := c.Fields[k]; !ok {
			if c.Fields == nil {
				c.Fields = map[string]string{}
			}
			c.Fields[k], changed = v, true
		}
	}
	return changed
}

// phoneKey compares phone numbers by their digits.
func phoneKey(p string) string {
	return strings.Map(func(r rune) rune {
		if r >= '0' && r <= '9' {
			return r
		}
		return -1
	}, p)
}

func firstNonEmpty(vs ...string) string {
	for _, v := range vs {
		if v != "" {
			return v
		}
	}
	return ""
}
