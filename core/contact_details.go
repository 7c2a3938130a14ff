package core

import (
	"context"
	"maps"
	"net/mail"
	"strings"
	"unicode/utf8"
)

// Limits on the custom fields a channel records on a contact.
const (
	MaxFieldKeyLen   = 64
	MaxFieldValueLen = 4096
	MaxFields        = 100
)

// ContactDetails is what a channel learned about its contact: an address the
// contact typed or proved, and custom fields for the contact panel (the web
// chat's page history, browser, operating system and device).
type ContactDetails struct {
	// Email, when set, fills in a contact without an address. With
	// EmailVerified it replaces the address and marks the contact verified:
	// the contact proved they read mail sent to it.
	Email         string
	EmailVerified bool
	// Fields are merged into the contact's custom fields; an empty value
	// removes the field.
	Fields map[string]string
}

// UpdateContactDetails records what a channel learned about a contact. It
// changes nothing an operator set: an unverified address never replaces one
// the contact already has. It emits contact.updated when something changed.
func (h *Hub) UpdateContactDetails(ctx context.Context, contactID string, d ContactDetails) (Contact, error) {
	email := ""
	if d.Email != "" {
		addr, err := mail.ParseAddress(strings.TrimSpace(d.Email))
		if err != nil || addr.Name != "" {
			return Contact{}, Invalidf("%q is not an email address", d.Email)
		}
		email = strings.ToLower(addr.Address)
	}
	for k, v := range d.Fields {
		if k == "" || len(k) > MaxFieldKeyLen || !utf8.ValidString(k) {
			return Contact{}, Invalidf("field name %q: use 1 to %d bytes of UTF-8", k, MaxFieldKeyLen)
		}
		if len(v) > MaxFieldValueLen || !utf8.ValidString(v) {
			return Contact{}, Invalidf("field %s: the value must be UTF-8 of at most %d bytes", k, MaxFieldValueLen)
		}
	}
	var c Contact
	err := h.store.Update(ctx, func(ctx context.Context, tx Tx) error {
		old, err := tx.Contact(ctx, contactID)
		if err != nil {
			return err
		}
		c = old
		c.Fields = maps.Clone(old.Fields)
		changed := false
		switch {
		case email != "" && d.EmailVerified:
			if c.Email != email || !c.Verified {
				c.Email, c.Verified, changed = email, true, true
			}
		case email != "" && c.Email == "":
			c.Email, changed = email, true
		}
		for k, v := range d.Fields {
			if old, ok := c.Fields[k]; v == "" && ok {
				delete(c.Fields, k)
				changed = true
			} else if v != "" && old != v {
				if c.Fields == nil {
					c.Fields = map[string]string{}
				}
				c.Fields[k] = v
				changed = true
			}
		}
		if !changed {
			return nil
		}
		if len(c.Fields) > MaxFields {
			return Invalidf("a contact has at most %d custom fields", MaxFields)
		}
		c.UpdatedAt = h.clock.Now()
		if err := tx.UpdateContact(ctx, c); err != nil {
			return err
		}
		return h.emit(ctx, tx, EventContactUpdated, "", EventData{Contact: &c})
	})
	return c, err
}

// LinkIdentity links a channel identity to an existing contact, so that what
// arrives on that channel from it continues the contact's history (a link
// that moves a conversation into the web chat). Linking an identity the
// contact already has is a no-op; one linked to another contact is a
// conflict.
func (h *Hub) LinkIdentity(ctx context.Context, contactID string, id Identity) (Contact, error) {
	if id.Channel == "" || id.ExternalID == "" {
		return Contact{}, Invalidf("an identity needs a channel and an external id")
	}
	if _, ok := h.channels[id.Channel]; !ok {
		return Contact{}, Invalidf("no channel named %q", id.Channel)
	}
	var c Contact
	err := h.store.Update(ctx, func(ctx context.Context, tx Tx) error {
		if other, err := tx.ContactByIdentity(ctx, id.Channel, id.ExternalID); err == nil {
			if other.ID != contactID {
				return Conflictf("identity %s on %s belongs to another contact", id.ExternalID, id.Channel)
			}
			c = other
			return nil
		} else if !isNotFound(err) {
			return err
		}
		var err error
		if c, err = tx.Contact(ctx, contactID); err != nil {
			return err
		}
		for _, have := range c.Identities {
			if have.Channel == id.Channel {
				return Conflictf("the contact already has an identity on %s", id.Channel)
			}
		}
		if err := tx.AddIdentity(ctx, contactID, id); err != nil {
			return err
		}
		c.Identities = append(c.Identities, id)
		return h.emit(ctx, tx, EventContactUpdated, "", EventData{Contact: &c})
	})
	return c, err
}
