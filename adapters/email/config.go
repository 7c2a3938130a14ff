package email

import (
	"errors"
	"fmt"
	"net"
	"net/mail"
	"time"

	"github.com/switchboard-hq/switchboard/core"
)

// Type is the channel type in the YAML file.
const Type = "email"

// Defaults of Config.
const (
	DefaultMaxMessageBytes int64 = 25 << 20
	DefaultMailbox               = "INBOX"
	DefaultPollInterval          = time.Minute
	DefaultTimeout               = 2 * time.Minute
	DefaultBatchSize             = 50
	DefaultReconnectMin          = time.Second
	DefaultReconnectMax          = 2 * time.Minute
	DefaultSubject               = "Your conversation with us"
)

// TLS modes of an IMAP or SMTP connection.
const (
	TLSImplicit = "tls"      // TLS from the first byte (IMAPS 993, SMTPS 465)
	TLSStart    = "starttls" // plain text upgraded with STARTTLS (587, 143)
	TLSNone     = "none"     // no encryption: loopback addresses only
)

// How processed mail is marked on the IMAP server.
const (
	ProcessedSeen = "seen" // flag it \Seen and leave it in the mailbox
	ProcessedMove = "move" // move it to imap.move_to
)

// What the first poll of a mailbox (or the first after its UIDVALIDITY
// changed) fetches.
const (
	BackfillUnseen = "unseen" // mail not flagged \Seen
	BackfillAll    = "all"    // everything in the mailbox
	BackfillNone   = "none"   // only mail arriving from now on
)

// IMAP authentication methods.
const (
	AuthPassword = "password"
	AuthXOAUTH2  = "xoauth2"
)

// Config is one email channel's section of the YAML file.
type Config struct {
	// Address is the address customers write to ("support@example.com").
	Address string `mapstructure:"address"`
	// IMAP is where customer mail is fetched from; without imap.addr the
	// channel receives mail only through inbound_smtp.
	IMAP IMAPConfig `mapstructure:"imap"`
	// SMTP sends operator replies and the hub's own mail. Required.
	SMTP SMTPConfig `mapstructure:"smtp"`
	// MaxMessageBytes bounds one inbound mail; larger mail is not imported
	// but shown to operators with the reason. 0 means DefaultMaxMessageBytes.
	MaxMessageBytes int64 `mapstructure:"max_message_bytes"`
	// ReplyDomain, when set, gives every conversation its own Reply-To
	// address reply+TOKEN@ReplyDomain, which routes the customer's answer
	// to it whatever their mail client does to the headers. The domain's
	// mail must reach this channel's mailbox (a catch-all or a
	// subaddressing rule).
	ReplyDomain string `mapstructure:"reply_domain"`
	// MessageIDDomain is the domain of the Message-IDs the hub gives its
	// mail; a reply referring to an id on it answers the hub. Default: the
	// domain of Address.
	MessageIDDomain string `mapstructure:"message_id_domain"`
	// ThreadBySubjectDays, when positive, files a mail with the same
	// normalised subject ("Re: " and the like removed) from the same sender
	// within that many days into the same conversation, for clients that
	// drop In-Reply-To. 0 turns it off.
	ThreadBySubjectDays int `mapstructure:"thread_by_subject_days"`
	// Subject is the subject of mail the hub starts (an operator writing
	// first); replies use "Re: " and the customer's subject. Default
	// DefaultSubject.
	Subject string `mapstructure:"subject"`
	// BlockedSenders lists addresses ("spam@example.com") and domains
	// ("@example.net") whose mail goes to the Filtered view.
	BlockedSenders []string `mapstructure:"blocked_senders"`
	// InboundSMTP, when its addr is set, accepts mail over SMTP (a domain's
	// MX or a forwarding rule) besides, or instead of, IMAP.
	InboundSMTP InboundSMTPConfig `mapstructure:"inbound_smtp"`
	// Capabilities narrows DefaultCapabilities.
	Capabilities core.CapabilityOverride `mapstructure:"capabilities"`
}

// IMAPConfig says where and how inbound mail is fetched.
type IMAPConfig struct {
	Addr     string `mapstructure:"addr"` // host:port
	TLS      string `mapstructure:"tls"`  // tls | starttls | none; default tls
	Username string `mapstructure:"username"`
	Password string `mapstructure:"password"`
	// Auth is password (LOGIN, or AUTHENTICATE PLAIN where offered) or
	// xoauth2 (Token is the OAuth 2 access token); default password.
	Auth  string `mapstructure:"auth"`
	Token string `mapstructure:"token"`
	// Mailbox is the folder polled; default INBOX.
	Mailbox string `mapstructure:"mailbox"`
	// Processed is seen (default) or move; move puts handled mail in MoveTo.
	Processed string `mapstructure:"processed"`
	MoveTo    string `mapstructure:"move_to"`
	// Quarantine, when set, is the folder malformed mail is moved to;
	// otherwise it stays in Mailbox, unseen and flagged \Flagged.
	Quarantine string `mapstructure:"quarantine"`
	// Backfill is what the first poll fetches: unseen (default), all or none.
	Backfill string `mapstructure:"backfill"`
	// Idle uses IMAP IDLE when the server offers it (default true);
	// otherwise the mailbox is polled every PollInterval.
	Idle *bool `mapstructure:"idle"`
	// PollInterval is the polling period, and how often an IDLE connection
	// is checked; default DefaultPollInterval.
	PollInterval time.Duration `mapstructure:"poll_interval"`
	// Timeout ends a connection that made no progress for this long;
	// default DefaultTimeout.
	Timeout time.Duration `mapstructure:"timeout"`
	// BatchSize is how many messages one FETCH asks for; default 50.
	BatchSize int `mapstructure:"batch_size"`
	// ReconnectMin and ReconnectMax bound the backoff between connection
	// attempts after a failure.
	ReconnectMin time.Duration `mapstructure:"reconnect_min"`
	ReconnectMax time.Duration `mapstructure:"reconnect_max"`
}

// SMTPConfig says how mail is sent.
type SMTPConfig struct {
	Addr     string `mapstructure:"addr"` // host:port
	TLS      string `mapstructure:"tls"`  // tls | starttls | none; default starttls
	Username string `mapstructure:"username"`
	Password string `mapstructure:"password"`
	// Auth is plain, login or xoauth2 (Token is the access token); empty
	// picks PLAIN, or LOGIN when the server offers only that, whenever a
	// username is set.
	Auth  string `mapstructure:"auth"`
	Token string `mapstructure:"token"`
	// From is the sender of every mail ("Support <support@example.com>");
	// default Address.
	From string `mapstructure:"from"`
	// Timeout bounds one delivery; default DefaultTimeout.
	Timeout time.Duration `mapstructure:"timeout"`
}

// InboundSMTPConfig is the optional SMTP listener for inbound mail.
type InboundSMTPConfig struct {
	Addr string `mapstructure:"addr"` // host:port to listen on; empty: off
	// MaxBytes bounds one mail; default the channel's max_message_bytes.
	MaxBytes int64 `mapstructure:"max_bytes"`
	// Recipients are further addresses accepted besides Address and the
	// reply addresses; "@example.com" accepts a whole domain.
	Recipients []string `mapstructure:"recipients"`
	// Domain is the name the listener greets with; default the
	// MessageIDDomain.
	Domain string `mapstructure:"domain"`
}

func (c *Config) setDefaults() {
	if c.MaxMessageBytes == 0 {
		c.MaxMessageBytes = DefaultMaxMessageBytes
	}
	if c.Subject == "" {
		c.Subject = DefaultSubject
	}
	if c.MessageIDDomain == "" {
		c.MessageIDDomain = domainOf(c.Address)
	}
	i := &c.IMAP
	setDefault(&i.TLS, TLSImplicit)
	setDefault(&i.Auth, AuthPassword)
	setDefault(&i.Mailbox, DefaultMailbox)
	setDefault(&i.Processed, ProcessedSeen)
	setDefault(&i.Backfill, BackfillUnseen)
	if i.Idle == nil {
		yes := true
		i.Idle = &yes
	}
	if i.PollInterval == 0 {
		i.PollInterval = DefaultPollInterval
	}
	if i.Timeout == 0 {
		i.Timeout = DefaultTimeout
	}
	if i.BatchSize == 0 {
		i.BatchSize = DefaultBatchSize
	}
	if i.ReconnectMin == 0 {
		i.ReconnectMin = DefaultReconnectMin
	}
	if i.ReconnectMax == 0 {
		i.ReconnectMax = DefaultReconnectMax
	}
	s := &c.SMTP
	setDefault(&s.TLS, TLSStart)
	setDefault(&s.From, c.Address)
	if s.Timeout == 0 {
		s.Timeout = DefaultTimeout
	}
	if c.InboundSMTP.MaxBytes == 0 {
		c.InboundSMTP.MaxBytes = c.MaxMessageBytes
	}
	setDefault(&c.InboundSMTP.Domain, c.MessageIDDomain)
}

func setDefault(s *string, v string) {
	if *s == "" {
		*s = v
	}
}

// Validate reports the first problem of c, naming its YAML key. It expects
// the defaults applied (New does that); on a raw Config it checks what the
// file says.
func (c Config) Validate() error {
	c.setDefaults()
	if err := checkAddress(c.Address); err != nil {
		return fmt.Errorf("address: %w", err)
	}
	if c.IMAP.Addr == "" && c.InboundSMTP.Addr == "" {
		return errors.New("imap.addr or inbound_smtp.addr is required: the channel needs a way to receive mail")
	}
	if c.IMAP.Addr != "" {
		if err := c.IMAP.validate(); err != nil {
			return fmt.Errorf("imap.%w", err)
		}
	}
	if err := c.SMTP.validate(); err != nil {
		return fmt.Errorf("smtp.%w", err)
	}
	if c.MaxMessageBytes < 0 {
		return fmt.Errorf("max_message_bytes: %d is negative", c.MaxMessageBytes)
	}
	if c.ReplyDomain != "" && !validDomain(c.ReplyDomain) {
		return fmt.Errorf("reply_domain: %q is not a domain name", c.ReplyDomain)
	}
	if !validDomain(c.MessageIDDomain) {
		return fmt.Errorf("message_id_domain: %q is not a domain name", c.MessageIDDomain)
	}
	if c.ThreadBySubjectDays < 0 {
		return fmt.Errorf("thread_by_subject_days: %d is negative", c.ThreadBySubjectDays)
	}
	for i, b := range c.BlockedSenders {
		if !validSenderPattern(b) {
			return fmt.Errorf("blocked_senders[%d]: %q is neither an address nor @domain", i, b)
		}
	}
	if c.InboundSMTP.Addr != "" {
		if _, _, err := net.SplitHostPort(c.InboundSMTP.Addr); err != nil {
			return fmt.Errorf("inbound_smtp.addr: %w", err)
		}
		if c.InboundSMTP.MaxBytes < 0 {
			return fmt.Errorf("inbound_smtp.max_bytes: %d is negative", c.InboundSMTP.MaxBytes)
		}
		for i, r := range c.InboundSMTP.Recipients {
			if !validSenderPattern(r) {
				return fmt.Errorf("inbound_smtp.recipients[%d]: %q is neither an address nor @domain", i, r)
			}
		}
	}
	if _, err := DefaultCapabilities().Narrow(c.Capabilities); err != nil {
		return err
	}
	return nil
}

func (c IMAPConfig) validate() error {
	if err := checkServer(c.Addr, c.TLS); err != nil {
		return err
	}
	switch c.Auth {
	case AuthPassword:
		if c.Username == "" || c.Password == "" {
			return errors.New("username and imap.password are required with auth: password")
		}
	case AuthXOAUTH2:
		if c.Username == "" || c.Token == "" {
			return errors.New("username and imap.token are required with auth: xoauth2")
		}
	default:
		return fmt.Errorf("auth: %q is not password or xoauth2", c.Auth)
	}
	switch c.Processed {
	case ProcessedSeen:
	case ProcessedMove:
		if c.MoveTo == "" || c.MoveTo == c.Mailbox {
			return errors.New("move_to: processed: move needs a folder other than the mailbox")
		}
	default:
		return fmt.Errorf("processed: %q is not seen or move", c.Processed)
	}
	if c.Quarantine == c.Mailbox {
		return errors.New("quarantine: must be a folder other than the mailbox")
	}
	switch c.Backfill {
	case BackfillUnseen, BackfillAll, BackfillNone:
	default:
		return fmt.Errorf("backfill: %q is not unseen, all or none", c.Backfill)
	}
	switch {
	case c.PollInterval < 0:
		return fmt.Errorf("poll_interval: %s is negative", c.PollInterval)
	case c.Timeout < 0:
		return fmt.Errorf("timeout: %s is negative", c.Timeout)
	case c.BatchSize < 0 || c.BatchSize > 1000:
		return fmt.Errorf("batch_size: %d is outside 1..1000", c.BatchSize)
	case c.ReconnectMin < 0 || c.ReconnectMax < c.ReconnectMin:
		return fmt.Errorf("reconnect_min, reconnect_max: want 0 <= %s <= %s", c.ReconnectMin, c.ReconnectMax)
	}
	return nil
}

func (c SMTPConfig) validate() error {
	if c.Addr == "" {
		return errors.New("addr is required: the channel sends replies over SMTP")
	}
	if err := checkServer(c.Addr, c.TLS); err != nil {
		return err
	}
	if _, err := mail.ParseAddress(c.From); err != nil {
		return fmt.Errorf("from: %q is not an address: %w", c.From, err)
	}
	switch c.Auth {
	case "", "plain", "login":
		if c.Auth != "" && (c.Username == "" || c.Password == "") {
			return fmt.Errorf("username and smtp.password are required with auth: %s", c.Auth)
		}
	case AuthXOAUTH2:
		if c.Username == "" || c.Token == "" {
			return errors.New("username and smtp.token are required with auth: xoauth2")
		}
	default:
		return fmt.Errorf("auth: %q is not plain, login or xoauth2", c.Auth)
	}
	if c.Timeout < 0 {
		return fmt.Errorf("timeout: %s is negative", c.Timeout)
	}
	return nil
}
