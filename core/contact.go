package core

import "time"

// Contact is a customer. A contact has at most one Identity per channel
// instance and may have several conversations at once.
type Contact struct {
	ID         string            `json:"id"`
	Name       string            `json:"name"`
	Email      string            `json:"email,omitempty"`
	Phone      string            `json:"phone,omitempty"`
	Locale     string            `json:"locale,omitempty"`
	Blocked    bool              `json:"blocked"`
	Verified   bool              `json:"verified"`
	Fields     map[string]string `json:"fields,omitempty"`
	Identities []Identity        `json:"identities"`
	CreatedAt  time.Time         `json:"created_at"`
	UpdatedAt  time.Time         `json:"updated_at"`
}

// Identity is how one channel instance knows a contact.
type Identity struct {
	Channel    string `json:"channel"`
	ExternalID string `json:"external_id"`
	Verified   bool   `json:"verified"`
}

// ContactPatch changes some of a contact's fields; nil fields stay.
type ContactPatch struct {
	Name    *string
	Email   *string
	Phone   *string
	Locale  *string
	Blocked *bool
}

// Apply returns c with the patch applied.
func (p ContactPatch) Apply(c Contact) Contact {
	if p.Name != nil {
		c.Name = *p.Name
	}
	if p.Email != nil {
		c.Email = *p.Email
	}
	if p.Phone != nil {
		c.Phone = *p.Phone
	}
	if p.Locale != nil {
		c.Locale = *p.Locale
	}
	if p.Blocked != nil {
		c.Blocked = *p.Blocked
	}
	return c
}
