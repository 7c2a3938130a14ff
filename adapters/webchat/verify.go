package webchat

import (
	"context"
	"crypto/hmac"
	"crypto/rand"
	"encoding/json"
	"fmt"
	"math/big"
	"strings"
	"time"

	"github.com/switchboard-hq/switchboard/core"
)

// Verification limits.
const (
	CodeTTL      = 15 * time.Minute
	MaxCodeTries = 5
)

func verifyKey(visitor string) string { return "verify/" + visitor }

// pendingCode is a verification in progress, kept in the channel state.
// Only an HMAC of the code is stored.
type pendingCode struct {
	Email   string `json:"email"`
	Hash    []byte `json:"hash"`
	Expires int64  `json:"expires"` // unix seconds
	Tries   int    `json:"tries"`
}

// verifyView is what the widget shows of a verification in progress.
type verifyView struct {
	Email     string `json:"email"`
	TriesLeft int    `json:"tries_left"`
}

func (a *Adapter) codeHash(visitor, email, code string) []byte {
	return mac(a.keys.code, visitor, email, code)
}

// StartVerification mails a 6-digit code to the contact's address and asks
// the visitor's widget for it. The code expires after CodeTTL or
// MaxCodeTries wrong tries; a correct one marks the address verified. A new
// $verify replaces a code not yet used.
func (a *Adapter) StartVerification(ctx context.Context, v core.Verification) error {
	if v.To.ID == "" {
		return &core.CapabilityError{Channel: a.name, Capability: "verify", Reason: "The contact has no web chat visitor to ask for the code"}
	}
	n, err := rand.Int(rand.Reader, big.NewInt(1_000_000))
	if err != nil {
		return fmt.Errorf("webchat verification code: %w", err)
	}
	code := fmt.Sprintf("%06d", n.Int64())
	p := pendingCode{Email: v.Email, Hash: a.codeHash(v.To.ID, v.Email, code), Expires: a.now().Add(CodeTTL).Unix()}
	a.verifyMu.Lock()
	defer a.verifyMu.Unlock()
	if err := a.putCode(ctx, v.To.ID, p); err != nil {
		return err
	}
	err = v.Mailer.SendMail(ctx, core.Mail{
		To:      []string{v.Email},
		Subject: "Your verification code",
		Text: fmt.Sprintf("Your verification code for %s is %s.\n\nEnter it in the chat window. It expires in %d minutes.\nIf you did not ask for it, ignore this message.\n",
			a.cfg.Title, code, int(CodeTTL/time.Minute)),
	})
	if err != nil {
		_ = a.state.Delete(ctx, verifyKey(v.To.ID))
		return fmt.Errorf("the verification code could not be mailed: %w", err)
	}
	a.reg.push(v.To.ID, outFrame{data: encode(verifyEvent{Type: "verify", State: "sent", Email: maskEmail(v.Email), TriesOut: MaxCodeTries})}, nil)
	return nil
}

func (a *Adapter) putCode(ctx context.Context, visitor string, p pendingCode) error {
	b, _ := json.Marshal(p)
	if err := a.state.Put(ctx, verifyKey(visitor), b); err != nil {
		return fmt.Errorf("webchat verification state: %w", err)
	}
	return nil
}

// pendingVerification returns the visitor's verification in progress, if
// any has not expired.
func (a *Adapter) pendingVerification(ctx context.Context, visitor string) *verifyView {
	b, err := a.state.Get(ctx, verifyKey(visitor))
	var p pendingCode
	if err != nil || json.Unmarshal(b, &p) != nil || expired(p.Expires, a.now()) {
		return nil
	}
	return &verifyView{Email: maskEmail(p.Email), TriesLeft: MaxCodeTries - p.Tries}
}

// checkCode compares a code the visitor typed with the one mailed.
func (s *session) checkCode(ctx context.Context, code string) {
	a := s.a
	state := func(st string, left int) {
		a.reg.push(s.visitor, outFrame{data: encode(verifyEvent{Type: "verify", State: st, TriesOut: left})}, nil)
	}
	a.verifyMu.Lock()
	defer a.verifyMu.Unlock()
	b, err := a.state.Get(ctx, verifyKey(s.visitor))
	var p pendingCode
	if err != nil || json.Unmarshal(b, &p) != nil {
		s.reply(errorFrame("no_verification", "There is no code to check; ask for a new one.", ""))
		return
	}
	if expired(p.Expires, a.now()) {
		_ = a.state.Delete(ctx, verifyKey(s.visitor))
		state("expired", 0)
		return
	}
	if !hmac.Equal(p.Hash, a.codeHash(s.visitor, p.Email, code)) {
		p.Tries++
		if p.Tries >= MaxCodeTries {
			_ = a.state.Delete(ctx, verifyKey(s.visitor))
			state("expired", 0)
			return
		}
		if err := a.putCode(ctx, s.visitor, p); err != nil {
			a.log.Error("verification tries not stored", "visitor", s.visitor, "err", err)
		}
		state("wrong", MaxCodeTries-p.Tries)
		return
	}
	contact, err := a.hub().Store().ContactByIdentity(ctx, a.name, s.visitor)
	if err == nil {
		_, err = a.hub().UpdateContactDetails(ctx, contact.ID, core.ContactDetails{Email: p.Email, EmailVerified: true})
	}
	if err != nil {
		a.log.Error("verified address not recorded", "visitor", s.visitor, "err", err)
		s.reply(errorFrame("unavailable", "The code is right but could not be recorded; enter it again.", ""))
		return
	}
	_ = a.state.Delete(ctx, verifyKey(s.visitor))
	state("verified", 0)
}

// maskEmail shows enough of an address for its owner to recognise it:
// "a***@example.com".
func maskEmail(e string) string {
	local, domain, ok := strings.Cut(e, "@")
	if !ok || local == "" {
		return "***"
	}
	return local[:1] + "***@" + domain
}
