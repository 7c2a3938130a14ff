package webchat

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/mail"
	"net/url"
	"regexp"
	"strings"
	"unicode/utf8"

	"github.com/switchboard-hq/switchboard/core"
)

// Limits on what a visitor's frame may hold.
const (
	MaxFrameBytes   = 96 << 10 // one frame: a message of MaxTextLen plus its envelope
	MaxFiles        = 10       // attachments of one message
	MaxAckIDs       = 200      // message ids acknowledged at once
	MaxURLLen       = 2048
	MaxCommentChars = 1000
	maxTitleChars   = 300
	maxUserIDLen    = 200
	maxNameChars    = 200
)

// Frame is one frame a visitor's widget sends. Its concrete type is one of
// HelloFrame, MessageFrame, TypingFrame, AckFrame, PageFrame, RateFrame,
// EmailFrame, CodeFrame and PingFrame.
type Frame interface{ frameType() string }

// HelloFrame opens a session; it is the first frame of every socket.
type HelloFrame struct {
	// Token is the visitor token from an earlier welcome, if any.
	Token string
	// Last is the id of the last message the widget has shown.
	Last string
	// Since is the server time (unix ms) of the widget's last welcome.
	Since int64
	// User is a signed-in user the site vouches for, if any.
	User *UserIdentity
	// Transfer is a $webtransfer grant from a continue link, if any.
	Transfer string
	// Consent is the visitor's yes to the privacy notice (privacy mode).
	Consent bool
	Page    PageView
}

// UserIdentity is a site's signed-in user: the id, HMAC-SHA256(secret, id)
// in hex, and what the site knows of them.
type UserIdentity struct {
	ID    string
	Hash  string
	Name  string
	Email string
}

// PageView is the page the widget is on.
type PageView struct {
	URL      string
	Title    string
	Referrer string
}

// MessageFrame is a visitor message. ID is chosen by the widget and kept
// across resends, so a message resent after a reconnect is stored once.
type MessageFrame struct {
	ID    string
	Text  string
	Files []string // upload tokens
}

// TypingFrame says the visitor started or stopped typing.
type TypingFrame struct{ Typing bool }

// AckFrame acknowledges operator messages the widget rendered; Read says
// the chat was open and the page visible.
type AckFrame struct {
	IDs  []string
	Read bool
}

// PageFrame reports a navigation inside a single-page site.
type PageFrame struct{ Page PageView }

// RateFrame answers a rating prompt: 1 to 5 stars and an optional comment.
type RateFrame struct {
	Score   int
	Comment string
}

// EmailFrame leaves an address while no operator is online.
type EmailFrame struct{ Email string }

// CodeFrame is an email verification code the visitor typed.
type CodeFrame struct{ Code string }

// PingFrame keeps the socket alive; the server answers pong.
type PingFrame struct{}

func (HelloFrame) frameType() string   { return "hello" }
func (MessageFrame) frameType() string { return "message" }
func (TypingFrame) frameType() string  { return "typing" }
func (AckFrame) frameType() string     { return "ack" }
func (PageFrame) frameType() string    { return "page" }
func (RateFrame) frameType() string    { return "rate" }
func (EmailFrame) frameType() string   { return "email" }
func (CodeFrame) frameType() string    { return "code" }
func (PingFrame) frameType() string    { return "ping" }

// wireFrame is every field any visitor frame may carry. Unknown fields are
// ignored, so older servers accept newer widgets.
type wireFrame struct {
	Type     string          `json:"type"`
	Token    string          `json:"token"`
	Last     string          `json:"last"`
	Since    int64           `json:"since"`
	User     *wireUser       `json:"user"`
	Transfer string          `json:"transfer"`
	Consent  bool            `json:"consent"`
	Page     *wirePage       `json:"page"`
	ID       string          `json:"id"`
	Text     string          `json:"text"`
	Files    []string        `json:"files"`
	Typing   bool            `json:"typing"`
	IDs      []string        `json:"ids"`
	Read     bool            `json:"read"`
	Score    json.RawMessage `json:"score"`
	Comment  string          `json:"comment"`
	Email    string          `json:"email"`
	Code     string          `json:"code"`
}

type wireUser struct {
	ID    string `json:"id"`
	Hash  string `json:"hash"`
	Name  string `json:"name"`
	Email string `json:"email"`
}

type wirePage struct {
	URL      string `json:"url"`
	Title    string `json:"title"`
	Referrer string `json:"referrer"`
}

var (
	clientIDRE = regexp.MustCompile(`^[A-Za-z0-9_-]{1,64}$`)
	codeRE     = regexp.MustCompile(`^[0-9]{6}$`)
)

// ParseFrame decodes and checks one frame from a visitor's widget. It never
// panics; anything malformed is an error saying what is wrong, fit to send
// back to the widget.
func ParseFrame(data []byte) (Frame, error) {
	if len(data) > MaxFrameBytes {
		return nil, fmt.Errorf("frame is larger than %d bytes", MaxFrameBytes)
	}
	if !utf8.Valid(data) {
		return nil, errors.New("frame is not UTF-8")
	}
	var w wireFrame
	if err := json.Unmarshal(data, &w); err != nil {
		return nil, fmt.Errorf("frame is not a JSON object: %w", err)
	}
	switch w.Type {
	case "hello":
		return parseHello(w)
	case "message":
		return parseMessage(w)
	case "typing":
		return TypingFrame{Typing: w.Typing}, nil
	case "ack":
		if len(w.IDs) == 0 || len(w.IDs) > MaxAckIDs {
			return nil, fmt.Errorf("ack needs 1 to %d ids", MaxAckIDs)
		}
		for _, id := range w.IDs {
			if len(id) == 0 || len(id) > 64 {
				return nil, errors.New("ack: an id is empty or too long")
			}
		}
		return AckFrame{IDs: w.IDs, Read: w.Read}, nil
	case "page":
		p, err := parsePage(w.Page)
		if err != nil {
			return nil, err
		}
		return PageFrame{Page: p}, nil
	case "rate":
		return parseRate(w)
	case "email":
		e, err := parseEmail(w.Email)
		if err != nil {
			return nil, err
		}
		return EmailFrame{Email: e}, nil
	case "code":
		code := strings.TrimSpace(w.Code)
		if !codeRE.MatchString(code) {
			return nil, errors.New("a verification code is 6 digits")
		}
		return CodeFrame{Code: code}, nil
	case "ping":
		return PingFrame{}, nil
	case "":
		return nil, errors.New("frame has no type")
	}
	return nil, fmt.Errorf("unknown frame type %q", clip(w.Type, 40))
}

func parseHello(w wireFrame) (Frame, error) {
	h := HelloFrame{Token: w.Token, Last: w.Last, Since: w.Since, Transfer: w.Transfer, Consent: w.Consent}
	if len(h.Token) > 1024 || len(h.Last) > 64 || len(h.Transfer) > 1024 {
		return nil, errors.New("hello: token, last or transfer is too long")
	}
	if h.Since < 0 {
		h.Since = 0
	}
	if w.User != nil && w.User.ID != "" {
		u := UserIdentity{ID: w.User.ID, Hash: w.User.Hash, Name: strings.TrimSpace(w.User.Name)}
		if len(u.ID) > maxUserIDLen || strings.ContainsFunc(u.ID, isControl) {
			return nil, fmt.Errorf("hello: user id must be 1 to %d printable bytes", maxUserIDLen)
		}
		if len(u.Hash) > 128 {
			return nil, errors.New("hello: user hash is too long")
		}
		if utf8.RuneCountInString(u.Name) > maxNameChars || strings.ContainsFunc(u.Name, isControl) {
			return nil, errors.New("hello: user name is too long or has control characters")
		}
		if w.User.Email != "" {
			e, err := parseEmail(w.User.Email)
			if err != nil {
				return nil, fmt.Errorf("hello: user %w", err)
			}
			u.Email = e
		}
		h.User = &u
	}
	p, err := parsePage(w.Page)
	if err != nil {
		return nil, err
	}
	h.Page = p
	return h, nil
}

func parseMessage(w wireFrame) (Frame, error) {
	if !clientIDRE.MatchString(w.ID) {
		return nil, errors.New("message: id must be 1 to 64 of A-Z, a-z, 0-9, _ and -")
	}
	text := strings.TrimSpace(w.Text)
	if len(text) > core.MaxTextLen {
		return nil, fmt.Errorf("message: text is longer than %d bytes", core.MaxTextLen)
	}
	if len(w.Files) > MaxFiles {
		return nil, fmt.Errorf("message: at most %d files", MaxFiles)
	}
	if text == "" && len(w.Files) == 0 {
		return nil, errors.New("message: needs text or a file")
	}
	for _, f := range w.Files {
		if f == "" || len(f) > 2048 {
			return nil, errors.New("message: a file reference is empty or too long")
		}
	}
	return MessageFrame{ID: w.ID, Text: text, Files: w.Files}, nil
}

func parseRate(w wireFrame) (Frame, error) {
	var score int
	if err := json.Unmarshal(w.Score, &score); err != nil || score < 1 || score > 5 {
		return nil, errors.New("rate: score is a whole number from 1 to 5")
	}
	comment := strings.TrimSpace(w.Comment)
	if utf8.RuneCountInString(comment) > MaxCommentChars {
		return nil, fmt.Errorf("rate: a comment has at most %d characters", MaxCommentChars)
	}
	return RateFrame{Score: score, Comment: comment}, nil
}

func parsePage(p *wirePage) (PageView, error) {
	if p == nil {
		return PageView{}, nil
	}
	v := PageView{Title: strings.TrimSpace(p.Title)}
	for _, u := range []struct {
		in  string
		out *string
	}{{p.URL, &v.URL}, {p.Referrer, &v.Referrer}} {
		if u.in == "" {
			continue
		}
		parsed, err := url.Parse(u.in)
		if len(u.in) > MaxURLLen || err != nil || (parsed.Scheme != "http" && parsed.Scheme != "https") || parsed.Host == "" {
			return PageView{}, fmt.Errorf("page: %q is not an http(s) URL of at most %d bytes", clip(u.in, 80), MaxURLLen)
		}
		parsed.User = nil
		*u.out = parsed.String()
	}
	if utf8.RuneCountInString(v.Title) > maxTitleChars {
		v.Title = string([]rune(v.Title)[:maxTitleChars])
	}
	v.Title = strings.Map(func(r rune) rune {
		if isControl(r) {
			return ' '
		}
		return r
	}, v.Title)
	return v, nil
}

func parseEmail(s string) (string, error) {
	s = strings.TrimSpace(s)
	a, err := mail.ParseAddress(s)
	if len(s) > 254 || err != nil || a.Name != "" || a.Address != s {
		return "", fmt.Errorf("email: %q is not an email address", clip(s, 80))
	}
	return strings.ToLower(a.Address), nil
}

func isControl(r rune) bool { return r < 0x20 || r == 0x7f || (r >= 0x80 && r < 0xa0) }

// clip shortens s to n bytes at a rune boundary, for error messages.
func clip(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:n] + "…"
}
