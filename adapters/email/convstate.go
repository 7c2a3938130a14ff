package email

import (
	"context"
	"crypto/rand"
	"encoding/base32"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"sync"

	"github.com/switchboard-hq/switchboard/core"
)

// convRecord is what the channel keeps about one conversation: the subject
// its replies carry and its reply token.
type convRecord struct {
	Subject string `json:"subject,omitempty"`
	Token   string `json:"token,omitempty"`
}

// convCache keeps recently used records so that the state store is read
// once per conversation, not once per mail.
type convCache struct {
	mu sync.Mutex
	m  map[string]convRecord
}

const convCacheSize = 4096

func (c *convCache) get(id string) (convRecord, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	r, ok := c.m[id]
	return r, ok
}

func (c *convCache) put(id string, r convRecord) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.m == nil || len(c.m) >= convCacheSize {
		c.m = make(map[string]convRecord)
	}
	c.m[id] = r
}

func convKey(id string) string { return "conv/" + id }

// conversation returns the record of conversation id; a conversation the
// channel has not seen has an empty one.
func (a *Adapter) conversation(ctx context.Context, id string) (convRecord, error) {
	if r, ok := a.convs.get(id); ok {
		return r, nil
	}
	var r convRecord
	b, err := a.state.Get(ctx, convKey(id))
	switch {
	case errors.Is(err, core.ErrNotFound):
	case err != nil:
		return r, fmt.Errorf("conversation %s state: %w", id, err)
	default:
		if err := json.Unmarshal(b, &r); err != nil {
			a.log.WarnContext(ctx, "conversation state unreadable; starting afresh", "conversation", id, "err", err)
			r = convRecord{}
		}
	}
	a.convs.put(id, r)
	return r, nil
}

func (a *Adapter) putConversation(ctx context.Context, id string, r convRecord) error {
	b, _ := json.Marshal(r)
	if err := a.state.Put(ctx, convKey(id), b); err != nil {
		return fmt.Errorf("conversation %s state: %w", id, err)
	}
	a.convs.put(id, r)
	return nil
}

// noteSubject keeps the subject of a conversation's first mail, for the
// "Re:" of its replies.
func (a *Adapter) noteSubject(ctx context.Context, id, subject string) error {
	if id == "" || strings.TrimSpace(subject) == "" {
		return nil
	}
	r, err := a.conversation(ctx, id)
	if err != nil || r.Subject != "" {
		return err
	}
	r.Subject = subject
	return a.putConversation(ctx, id, r)
}

// replyAddress returns the conversation's reply address,
// reply+TOKEN@reply_domain, making its token on first use; "" when no
// reply_domain is configured. The token is stored before it is handed out.
func (a *Adapter) replyAddress(ctx context.Context, id string) (string, error) {
	if a.cfg.ReplyDomain == "" || id == "" {
		return "", nil
	}
	r, err := a.conversation(ctx, id)
	if err != nil {
		return "", err
	}
	if r.Token == "" {
		tok := newToken()
		if err := a.state.Put(ctx, "token/"+tok, []byte(id)); err != nil {
			return "", fmt.Errorf("reply token: %w", err)
		}
		r.Token = tok
		if err := a.putConversation(ctx, id, r); err != nil {
			return "", err
		}
	}
	return "reply+" + r.Token + "@" + a.cfg.ReplyDomain, nil
}

// newToken returns 16 random lower-case base32 characters (80 bits):
// unguessable, and safe in an address local part that servers may
// lower-case.
func newToken() string {
	var b [10]byte
	_, _ = rand.Read(b[:]) // crypto/rand.Read never fails (Go 1.24+)
	return strings.ToLower(base32.StdEncoding.WithPadding(base32.NoPadding).EncodeToString(b[:]))
}
