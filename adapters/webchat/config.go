package webchat

import (
	"errors"
	"fmt"
	"net/url"
	"regexp"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/switchboard-hq/switchboard/core"
)

// Type is the channel type in the YAML file.
const Type = "webchat"

// Defaults of Config.
const (
	DefaultTitle        = "Chat with us"
	DefaultColor        = "#2f6fde"
	DefaultLocale       = "en"
	DefaultIdleTimeout  = 75 * time.Second
	DefaultSendQueue    = 64
	DefaultWriteTimeout = 10 * time.Second
	DefaultOfflineGrace = 10 * time.Second
	DefaultPresenceTick = 3 * time.Second
	// MinSecretLen is the shortest widget secret accepted: it signs visitor
	// tokens and checks identity HMACs.
	MinSecretLen = 32
)

// Config is one widget's section of the YAML file.
type Config struct {
	// Secret signs visitor tokens, upload and file links, and is the key a
	// site uses for identity HMACs: HMAC-SHA256(secret, user id), hex.
	Secret string `mapstructure:"secret"`
	// Title names the chat in the widget's header.
	Title string `mapstructure:"title"`
	// Color is the widget's accent colour, #rgb or #rrggbb.
	Color string `mapstructure:"color"`
	// Greeting is shown above an empty conversation.
	Greeting string `mapstructure:"greeting"`
	// OfflineText tells visitors what to expect while no operator is
	// online ("We reply by email within a day").
	OfflineText string `mapstructure:"offline_text"`
	// Locale picks the widget's language (en, de, fr, es; others fall back
	// to en).
	Locale string `mapstructure:"locale"`
	// AllowedOrigins lists the sites that may embed the widget:
	// "https://www.example.com", "https://*.example.com", or "*" for any.
	// The hub's own origin (the /demo page) is always allowed. The Origin
	// header of sockets and uploads is checked against it.
	AllowedOrigins []string `mapstructure:"allowed_origins"`
	// ConversationTimeout starts a new conversation when the visitor writes
	// after this long without a message from either side; 0 continues the
	// latest conversation forever.
	ConversationTimeout time.Duration `mapstructure:"conversation_timeout"`
	// Features switches parts of the widget on and off.
	Features Features `mapstructure:"features"`
	// Capabilities narrows DefaultCapabilities; attachments and
	// max_attachment_size bound visitor uploads too.
	Capabilities core.CapabilityOverride `mapstructure:"capabilities"`

	// Group is the channel's operator group (the common key `group`): only
	// its members count as online for the widget. Set by the caller.
	Group string `mapstructure:"-"`

	// Tuning, not read from YAML; zero means the default.
	IdleTimeout  time.Duration `mapstructure:"-"` // a silent socket is closed (widgets ping every 25s)
	SendQueue    int           `mapstructure:"-"` // frames one socket may lag behind before it is dropped
	WriteTimeout time.Duration `mapstructure:"-"` // a write that takes longer drops the socket
	OfflineGrace time.Duration `mapstructure:"-"` // how long after a visitor's last socket closed they count as gone
	PresenceTick time.Duration `mapstructure:"-"` // how often operator presence is checked
}

// Features are the widget's switches. Nil means the default (on), except
// PrivacyMode (off).
type Features struct {
	// Uploads lets visitors send files.
	Uploads *bool `mapstructure:"uploads"`
	// Voice lets visitors record voice messages in the browser.
	Voice *bool `mapstructure:"voice"`
	// Rating lets operators ask for a rating with $rating.
	Rating *bool `mapstructure:"rating"`
	// EmailCapture asks visitors for an email address while no operator
	// is online.
	EmailCapture *bool `mapstructure:"email_capture"`
	// PrivacyMode asks for consent before the chat starts and records no
	// page history, referrer, browser, operating system or device.
	PrivacyMode bool `mapstructure:"privacy_mode"`
}

func on(b *bool) bool { return b == nil || *b }

func (c *Config) setDefaults() {
	if c.Title == "" {
		c.Title = DefaultTitle
	}
	if c.Color == "" {
		c.Color = DefaultColor
	}
	if c.Locale == "" {
		c.Locale = DefaultLocale
	}
	if c.IdleTimeout == 0 {
		c.IdleTimeout = DefaultIdleTimeout
	}
	if c.SendQueue == 0 {
		c.SendQueue = DefaultSendQueue
	}
	if c.WriteTimeout == 0 {
		c.WriteTimeout = DefaultWriteTimeout
	}
	if c.OfflineGrace == 0 {
		c.OfflineGrace = DefaultOfflineGrace
	}
	if c.PresenceTick == 0 {
		c.PresenceTick = DefaultPresenceTick
	}
}

var (
	colorRE  = regexp.MustCompile(`^#([0-9a-fA-F]{3}|[0-9a-fA-F]{6})$`)
	localeRE = regexp.MustCompile(`^[A-Za-z]{2,3}(-[A-Za-z0-9]{2,8})*$`)
)

// Validate reports the first problem of c, naming its YAML key.
func (c Config) Validate() error {
	if c.Secret == "" {
		return errors.New("secret is required (at least 32 random characters)")
	}
	if len(c.Secret) < MinSecretLen {
		return fmt.Errorf("secret: %d characters is too short; use at least %d random ones", len(c.Secret), MinSecretLen)
	}
	if c.Color != "" && !colorRE.MatchString(c.Color) {
		return fmt.Errorf("color: %q is not #rgb or #rrggbb", c.Color)
	}
	if c.Locale != "" && !localeRE.MatchString(c.Locale) {
		return fmt.Errorf("locale: %q is not a language tag such as en or de-CH", c.Locale)
	}
	for key, v := range map[string]struct {
		s   string
		max int
	}{"title": {c.Title, 80}, "greeting": {c.Greeting, 1000}, "offline_text": {c.OfflineText, 1000}} {
		if !utf8.ValidString(v.s) || utf8.RuneCountInString(v.s) > v.max {
			return fmt.Errorf("%s: at most %d characters of UTF-8", key, v.max)
		}
	}
	for i, o := range c.AllowedOrigins {
		if _, err := parseOriginPattern(o); err != nil {
			return fmt.Errorf("allowed_origins[%d]: %w", i, err)
		}
	}
	if c.ConversationTimeout < 0 {
		return fmt.Errorf("conversation_timeout: %s is negative", c.ConversationTimeout)
	}
	if c.IdleTimeout < 0 || c.SendQueue < 0 || c.WriteTimeout < 0 || c.OfflineGrace < 0 || c.PresenceTick < 0 {
		return errors.New("tuning values cannot be negative")
	}
	if _, err := DefaultCapabilities().Narrow(c.Capabilities); err != nil {
		return err
	}
	return nil
}

// originPattern is one entry of allowed_origins.
type originPattern struct {
	any    bool
	scheme string
	host   string // lower case; "*.example.com" admits subdomains
}

func parseOriginPattern(s string) (originPattern, error) {
	if s == "*" {
		return originPattern{any: true}, nil
	}
	u, err := url.Parse(s)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" ||
		(u.Path != "" && u.Path != "/") || u.RawQuery != "" || u.User != nil {
		return originPattern{}, fmt.Errorf("%q is not an origin such as https://www.example.com", s)
	}
	host := strings.ToLower(u.Host)
	if strings.Contains(strings.TrimPrefix(host, "*."), "*") {
		return originPattern{}, fmt.Errorf("%q: only a leading *. is allowed", s)
	}
	return originPattern{scheme: u.Scheme, host: host}, nil
}

// match reports whether origin ("https://shop.example.com") fits p.
func (p originPattern) match(scheme, host string) bool {
	if p.any {
		return true
	}
	if scheme != p.scheme {
		return false
	}
	if sub, ok := strings.CutPrefix(p.host, "*."); ok {
		return strings.HasSuffix(host, "."+sub)
	}
	return host == p.host
}
