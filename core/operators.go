package core

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"net/mail"
	"strings"

	"golang.org/x/crypto/bcrypt"
)

// NewOperator describes an operator to create.
type NewOperator struct {
	Email    string
	Name     string
	Password string
	Role     Role
	Groups   []string
	Slots    int
}

// MinPasswordLen is the shortest password accepted for an operator.
const MinPasswordLen = 10

// CreateOperator adds an operator. Emails are unique, case-insensitively.
func (h *Hub) CreateOperator(ctx context.Context, in NewOperator) (Operator, error) {
	addr, err := mail.ParseAddress(strings.TrimSpace(in.Email))
	if err != nil || addr.Name != "" {
		return Operator{}, Invalidf("%q is not an email address", in.Email)
	}
	if strings.TrimSpace(in.Name) == "" {
		return Operator{}, Invalidf("operator name is required")
	}
	if len(in.Password) < MinPasswordLen {
		return Operator{}, Invalidf("password must have at least %d characters", MinPasswordLen)
	}
	if in.Role == "" {
		in.Role = RoleOperator
	}
	if !in.Role.Valid() {
		return Operator{}, Invalidf("role must be admin or operator, not %q", in.Role)
	}
	if in.Slots == 0 {
		in.Slots = h.cfg.DefaultSlots
	}
	if in.Slots < 0 {
		return Operator{}, Invalidf("chat slots cannot be negative")
	}
	hash, err := bcrypt.GenerateFromPassword([]byte(in.Password), bcrypt.DefaultCost)
	if err != nil {
		return Operator{}, Invalidf("password: %v", err)
	}
	op := Operator{
		ID: h.ids.New("op"), Email: strings.ToLower(addr.Address), Name: strings.TrimSpace(in.Name),
		Role: in.Role, Groups: in.Groups, Slots: in.Slots, PasswordHash: string(hash), CreatedAt: h.clock.Now(),
	}
	if op.Groups == nil {
		op.Groups = []string{}
	}
	err = h.store.Update(ctx, func(ctx context.Context, tx Tx) error {
		if _, err := tx.OperatorByEmail(ctx, op.Email); err == nil {
			return Conflictf("an operator with email %s exists", op.Email)
		} else if !isNotFound(err) {
			return err
		}
		return tx.InsertOperator(ctx, op)
	})
	return op, err
}

// EnsureAdmin creates an admin with a generated password when there are no
// operators at all, and returns that password once. It returns "" when
// operators exist.
func (h *Hub) EnsureAdmin(ctx context.Context, email string) (Operator, string, error) {
	ops, err := h.store.Operators(ctx)
	if err != nil || len(ops) > 0 {
		return Operator{}, "", err
	}
	password := randomToken(15)
	op, err := h.CreateOperator(ctx, NewOperator{Email: email, Name: "Admin", Password: password, Role: RoleAdmin})
	if err != nil {
		return Operator{}, "", err
	}
	return op, password, nil
}

// Login checks an operator's password and opens a session. The returned
// token is shown once; only its hash is stored.
func (h *Hub) Login(ctx context.Context, email, password string) (string, Operator, error) {
	refused := &Error{Code: CodeUnauthenticated, Message: "wrong email or password"}
	op, err := h.store.OperatorByEmail(ctx, strings.ToLower(strings.TrimSpace(email)))
	if isNotFound(err) {
		// Spend the same time as a real check so timing does not tell
		// which emails exist.
		_ = bcrypt.CompareHashAndPassword(h.dummyHash(), []byte(password))
		return "", Operator{}, refused
	}
	if err != nil {
		return "", Operator{}, err
	}
	if bcrypt.CompareHashAndPassword([]byte(op.PasswordHash), []byte(password)) != nil {
		return "", Operator{}, refused
	}
	token := randomToken(32)
	now := h.clock.Now()
	s := Session{TokenHash: hashToken(token), OperatorID: op.ID, CreatedAt: now, ExpiresAt: now.Add(h.cfg.SessionTTL)}
	if err := h.store.Update(ctx, func(ctx context.Context, tx Tx) error { return tx.InsertSession(ctx, s) }); err != nil {
		return "", Operator{}, err
	}
	return token, op, nil
}

// Authenticate returns the operator holding a session token.
func (h *Hub) Authenticate(ctx context.Context, token string) (Operator, error) {
	refused := &Error{Code: CodeUnauthenticated, Message: "no valid session; log in first"}
	if token == "" {
		return Operator{}, refused
	}
	s, err := h.store.Session(ctx, hashToken(token))
	if isNotFound(err) || (err == nil && !h.clock.Now().Before(s.ExpiresAt)) {
		return Operator{}, refused
	}
	if err != nil {
		return Operator{}, err
	}
	op, err := h.store.Operator(ctx, s.OperatorID)
	if isNotFound(err) {
		return Operator{}, refused
	}
	return op, err
}

// Logout ends a session.
func (h *Hub) Logout(ctx context.Context, token string) error {
	return h.store.Update(ctx, func(ctx context.Context, tx Tx) error {
		return tx.DeleteSession(ctx, hashToken(token))
	})
}

// dummyHash is a bcrypt hash of a random string, compared against when an
// email is unknown.
func (h *Hub) dummyHash() []byte {
	h.dummyOnce.Do(func() {
		h.dummy, _ = bcrypt.GenerateFromPassword([]byte(randomToken(16)), bcrypt.DefaultCost)
	})
	return h.dummy
}

func randomToken(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b) // never fails
	return base64.RawURLEncoding.EncodeToString(b)
}

func hashToken(token string) string {
	sum := sha256.Sum256([]byte(token))
	return hex.EncodeToString(sum[:])
}
