package core

import "time"

// Role is what an operator may do beyond answering conversations.
type Role string

// Operator roles.
const (
	RoleAdmin    Role = "admin"
	RoleOperator Role = "operator"
)

// Valid reports whether r is a known role.
func (r Role) Valid() bool { return r == RoleAdmin || r == RoleOperator }

// Operator is a person answering conversations in the inbox.
type Operator struct {
	ID    string `json:"id"`
	Email string `json:"email"`
	Name  string `json:"name"`
	Role  Role   `json:"role"`
	// Groups the operator belongs to; routing for a channel with a group
	// considers only its members.
	Groups []string `json:"groups"`
	// Slots caps the operator's concurrent live conversations.
	Slots        int       `json:"slots"`
	PasswordHash string    `json:"-"`
	CreatedAt    time.Time `json:"created_at"`
}

// InGroup reports whether the operator belongs to group g.
func (o Operator) InGroup(g string) bool {
	for _, x := range o.Groups {
		if x == g {
			return true
		}
	}
	return false
}

// Presence is whether an operator takes conversations right now.
type Presence string

// Presence states. Operators start away; only they switch themselves online.
const (
	Online Presence = "online"
	Away   Presence = "away"
)

// Session is a logged-in operator's credential. Only the token's hash is
// stored.
type Session struct {
	TokenHash  string
	OperatorID string
	ExpiresAt  time.Time
	CreatedAt  time.Time
}

// Macro is a canned reply an operator sends with !name.
type Macro struct {
	ID        string    `json:"id"`
	Name      string    `json:"name"`
	Text      string    `json:"text"`
	CreatedBy string    `json:"created_by,omitempty"`
	CreatedAt time.Time `json:"created_at"`
}

// Notification is an entry of an operator's chronological notification list.
type Notification struct {
	ID             string    `json:"id"`
	OperatorID     string    `json:"operator_id"`
	Type           string    `json:"type"`
	ConversationID string    `json:"conversation_id,omitempty"`
	Text           string    `json:"text"`
	Read           bool      `json:"read"`
	CreatedAt      time.Time `json:"created_at"`
}
