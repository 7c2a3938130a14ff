package email

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"regexp"
	"slices"
	"strings"
	"time"

	"github.com/switchboard-hq/switchboard/core"
)

// Thread is where a mail sits in its thread, from its own headers.
type Thread struct {
	IsReply    bool
	InReplyTo  string
	References []string
	// Key groups the mails of one thread: the first References id, else
	// In-Reply-To, else the mail's own Message-ID.
	Key string
	// HubMessageID is the mail of the hub's that this one answers:
	// In-Reply-To if it is on the hub's Message-ID domain, else the last
	// References id on that domain, else "".
	HubMessageID string
}

// ThreadOf reads m's threading headers; hubDomain is the domain of the
// Message-IDs the hub gives its mail.
func ThreadOf(m *Mail, hubDomain string) Thread {
	t := Thread{InReplyTo: m.InReplyTo, References: m.References}
	t.IsReply = t.InReplyTo != "" || len(t.References) > 0
	switch {
	case len(t.References) > 0:
		t.Key = t.References[0]
	case t.InReplyTo != "":
		t.Key = t.InReplyTo
	default:
		t.Key = m.MessageID
	}
	if onDomain(t.InReplyTo, hubDomain) {
		t.HubMessageID = t.InReplyTo
	} else {
		for i := len(t.References) - 1; i >= 0; i-- {
			if onDomain(t.References[i], hubDomain) {
				t.HubMessageID = t.References[i]
				break
			}
		}
	}
	return t
}

func onDomain(id, domain string) bool {
	return id != "" && domain != "" && strings.EqualFold(domainOf(id), domain)
}

// candidates are the ids a reply may answer, most specific first: the
// hub's message, In-Reply-To, then References from the newest.
func (t Thread) candidates() []string {
	const maxLookups = 20
	var ids []string
	add := func(id string) {
		if id != "" && len(ids) < maxLookups && !slices.Contains(ids, id) {
			ids = append(ids, id)
		}
	}
	add(t.HubMessageID)
	add(t.InReplyTo)
	for i := len(t.References) - 1; i >= 0; i-- {
		add(t.References[i])
	}
	return ids
}

// subjectPrefix matches reply and forward markers and list tags at the start
// of a subject, in the languages mail clients use.
var subjectPrefix = regexp.MustCompile(`(?i)^\s*((re|aw|sv|vs|antw|rif|r|ref|fw|fwd|wg|tr|enc|rv)(\[\d+\])?\s*:|\[[^\]]{1,40}\])\s*`)

// NormaliseSubject returns the subject without reply and forward markers or
// list tags, lower-cased, with whitespace collapsed: "Re: [Shop] Fwd: Order"
// and "order" are the same thread.
func NormaliseSubject(s string) string {
	for {
		t := subjectPrefix.ReplaceAllString(s, "")
		if t == s {
			break
		}
		s = t
	}
	return strings.ToLower(strings.Join(strings.Fields(s), " "))
}

// replyToken returns TOKEN of an address reply+TOKEN@domain, or "".
func replyToken(addr, domain string) string {
	if domain == "" || !strings.EqualFold(domainOf(addr), domain) {
		return ""
	}
	local := strings.ToLower(addr[:strings.LastIndexByte(addr, '@')])
	tok, ok := strings.CutPrefix(local, "reply+")
	if !ok || !validToken(tok) {
		return ""
	}
	return tok
}

func validToken(tok string) bool {
	if len(tok) < 8 || len(tok) > 40 {
		return false
	}
	for _, r := range tok {
		if !(r >= 'a' && r <= 'z' || r >= '0' && r <= '9') {
			return false
		}
	}
	return true
}

// subjectRecord remembers the conversation a sender's subject went to.
type subjectRecord struct {
	Conversation string    `json:"conversation"`
	At           time.Time `json:"at"`
}

func subjectKey(sender, normalised string) string {
	sum := sha256.Sum256([]byte(strings.ToLower(sender) + "\x00" + normalised))
	return "subject/" + hex.EncodeToString(sum[:16])
}

// placement decides which conversation a mail goes to: the one it
// continues (conv), else a new one (fresh) when it starts a thread of its
// own, else the hub's choice, the sender's latest conversation. Automatic
// mail (reason set) never continues a customer's thread: it goes to the
// sender's filtered conversation, or a new one.
func (a *Adapter) placement(ctx context.Context, m *Mail, th Thread, reason string, rcpts []string) (conv string, fresh bool, err error) {
	if reason != "" {
		fresh, err = a.customerThreadOpen(ctx, m.From.Address)
		return "", fresh, err
	}
	if conv, err = a.conversationFor(ctx, m, th, rcpts); err != nil {
		return "", false, err
	}
	return conv, conv == "" && !th.IsReply, nil
}

// customerThreadOpen reports whether the sender's latest conversation on
// the channel is an unfiltered one.
func (a *Adapter) customerThreadOpen(ctx context.Context, addr string) (bool, error) {
	st := a.store()
	if st == nil {
		return false, nil
	}
	c, err := st.ContactByIdentity(ctx, a.name, addr)
	if errors.Is(err, core.ErrNotFound) {
		return false, nil
	}
	if err != nil {
		return false, fmt.Errorf("look up contact %s: %w", addr, err)
	}
	convs, err := st.ContactConversations(ctx, c.ID)
	if err != nil {
		return false, fmt.Errorf("conversations of %s: %w", c.ID, err)
	}
	for _, cv := range convs {
		if cv.Channel == a.name && cv.TrashedAt == nil {
			return cv.FilterReason == "", nil
		}
	}
	return false, nil
}

// conversationFor finds the conversation a mail continues: by the reply
// token of an address it was sent to, then by the Message-IDs it answers
// among those the hub received or sent, then, when configured, by subject
// from the same sender. It returns "" for a new conversation; errors are
// store failures worth a retry.
func (a *Adapter) conversationFor(ctx context.Context, m *Mail, th Thread, rcpts []string) (string, error) {
	if a.cfg.ReplyDomain != "" {
		for _, list := range [][]string{rcpts, m.DeliveredTo, addresses(m.To), addresses(m.Cc)} {
			for _, addr := range list {
				tok := replyToken(addr, a.cfg.ReplyDomain)
				if tok == "" {
					continue
				}
				conv, err := a.state.Get(ctx, "token/"+tok)
				if err == nil {
					return string(conv), nil
				}
				if !errors.Is(err, core.ErrNotFound) {
					return "", fmt.Errorf("reply token: %w", err)
				}
			}
		}
	}
	if st := a.store(); st != nil {
		for _, id := range th.candidates() {
			msg, err := st.MessageByProviderID(ctx, a.name, id)
			if err == nil {
				return msg.ConversationID, nil
			}
			if !errors.Is(err, core.ErrNotFound) {
				return "", fmt.Errorf("look up message %s: %w", id, err)
			}
		}
	}
	if a.cfg.ThreadBySubjectDays > 0 {
		if norm := NormaliseSubject(m.Subject); norm != "" {
			b, err := a.state.Get(ctx, subjectKey(m.From.Address, norm))
			if err != nil && !errors.Is(err, core.ErrNotFound) {
				return "", fmt.Errorf("subject thread: %w", err)
			}
			var rec subjectRecord
			if err == nil && json.Unmarshal(b, &rec) == nil &&
				a.now().Sub(rec.At) <= time.Duration(a.cfg.ThreadBySubjectDays)*24*time.Hour {
				return rec.Conversation, nil
			}
		}
	}
	return "", nil
}

// rememberSubject records that m's subject from its sender went to conv.
func (a *Adapter) rememberSubject(ctx context.Context, m *Mail, conv string) error {
	norm := NormaliseSubject(m.Subject)
	if a.cfg.ThreadBySubjectDays <= 0 || norm == "" || conv == "" {
		return nil
	}
	b, _ := json.Marshal(subjectRecord{Conversation: conv, At: a.now()})
	return a.state.Put(ctx, subjectKey(m.From.Address, norm), b)
}

func addresses(list []Address) []string {
	out := make([]string, 0, len(list))
	for _, a := range list {
		out = append(out, a.Address)
	}
	return out
}
