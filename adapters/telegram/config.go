package telegram

import (
	"errors"
	"fmt"
	"net/url"
	"strings"
	"time"

	"github.com/switchboard-hq/switchboard/core"
)

// Type is the channel type in the YAML file.
const Type = "telegram"

// Modes of receiving updates.
const (
	ModePolling = "polling"
	ModeWebhook = "webhook"
)

// Defaults of Config.
const (
	DefaultAPIURL             = "https://api.telegram.org"
	DefaultMaxBodyBytes int64 = 1 << 20
	DefaultPollTimeout        = 25 * time.Second
	DefaultTimeout            = 60 * time.Second
)

// Config is one bot's section of the YAML file.
type Config struct {
	// Token is the bot token from @BotFather ("123456:ABC-...").
	Token string `mapstructure:"token"`
	// Mode is how updates arrive: "polling" (default) or "webhook".
	Mode string `mapstructure:"mode"`
	// SecretToken is given to setWebhook and required on every webhook
	// request; 1-256 characters of A-Z, a-z, 0-9, _ and -. Required in
	// webhook mode.
	SecretToken string `mapstructure:"secret_token"`
	// APIURL is the Bot API server (default DefaultAPIURL); tests and
	// self-hosted Bot API servers point it elsewhere.
	APIURL string `mapstructure:"api_url"`
	// WebhookURL is the HTTPS address Telegram posts updates to in webhook
	// mode, required there by New. The composition root sets it from
	// public_url and the channel's path when the file does not.
	WebhookURL string `mapstructure:"webhook_url"`
	// MaxBodyBytes bounds a webhook request body (default 1 MiB).
	MaxBodyBytes int64 `mapstructure:"max_body_bytes"`
	// PollTimeout is the long-polling timeout of getUpdates (default 25s).
	PollTimeout time.Duration `mapstructure:"poll_timeout"`
	// Timeout bounds every other Bot API request and file download
	// (default 60s).
	Timeout time.Duration `mapstructure:"timeout"`
	// Capabilities narrows DefaultCapabilities.
	Capabilities core.CapabilityOverride `mapstructure:"capabilities"`
}

func (c *Config) setDefaults() {
	if c.Mode == "" {
		c.Mode = ModePolling
	}
	if c.APIURL == "" {
		c.APIURL = DefaultAPIURL
	}
	c.APIURL = strings.TrimSuffix(c.APIURL, "/")
	if c.MaxBodyBytes == 0 {
		c.MaxBodyBytes = DefaultMaxBodyBytes
	}
	if c.PollTimeout == 0 {
		c.PollTimeout = DefaultPollTimeout
	}
	if c.Timeout == 0 {
		c.Timeout = DefaultTimeout
	}
}

// Validate reports the first problem of c (defaults applied), naming its
// YAML key.
func (c Config) Validate() error {
	c.setDefaults()
	if c.Token == "" {
		return errors.New("token is required")
	}
	if id, _, ok := strings.Cut(c.Token, ":"); !ok || id == "" || strings.ContainsAny(c.Token, "/?#% \t\r\n") {
		return errors.New("token: not a bot token of the form <bot id>:<secret>")
	}
	switch c.Mode {
	case ModePolling:
	case ModeWebhook:
		if c.SecretToken == "" {
			return errors.New("secret_token is required in webhook mode")
		}
	default:
		return fmt.Errorf("mode: %q is neither %q nor %q", c.Mode, ModePolling, ModeWebhook)
	}
	if c.WebhookURL != "" {
		if err := checkURL(c.WebhookURL, "https"); err != nil {
			return fmt.Errorf("webhook_url: %w", err)
		}
	}
	if c.SecretToken != "" && !validSecretToken(c.SecretToken) {
		return errors.New("secret_token: use 1-256 characters of A-Z, a-z, 0-9, _ and -")
	}
	if err := checkURL(c.APIURL, "http", "https"); err != nil {
		return fmt.Errorf("api_url: %w", err)
	}
	if c.MaxBodyBytes < 0 {
		return fmt.Errorf("max_body_bytes: %d is negative", c.MaxBodyBytes)
	}
	if c.PollTimeout < time.Second || c.PollTimeout > 10*time.Minute {
		return fmt.Errorf("poll_timeout: %s is outside 1s..10m", c.PollTimeout)
	}
	if c.Timeout < 0 {
		return fmt.Errorf("timeout: %s is negative", c.Timeout)
	}
	if _, err := DefaultCapabilities().Narrow(c.Capabilities); err != nil {
		return err
	}
	return nil
}

// validSecretToken checks Telegram's rule for setWebhook's secret_token.
func validSecretToken(s string) bool {
	if len(s) > 256 {
		return false
	}
	for _, r := range s {
		if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '_' || r == '-') {
			return false
		}
	}
	return true
}

func checkURL(s string, schemes ...string) error {
	if s == "" {
		return errors.New("is required")
	}
	u, err := url.Parse(s)
	if err != nil {
		return err
	}
	for _, scheme := range schemes {
		if u.Scheme == scheme && u.Host != "" {
			return nil
		}
	}
	return fmt.Errorf("%q is not an absolute %s URL", u.Redacted(), strings.Join(schemes, " or "))
}
