package sms

import (
	"errors"
	"fmt"
	"net/url"
	"strings"
	"time"

	"github.com/nyaruka/phonenumbers"

	"github.com/switchboard-hq/switchboard/core"
)

// Type is the channel type in the YAML file.
const Type = "sms"

// Drivers, the values of Config.Provider.
const (
	ProviderTwilio  = "twilio"
	ProviderGeneric = "generic"
)

// Defaults of Config.
const (
	DefaultAPIURL             = "https://api.twilio.com"
	DefaultMaxBodyBytes int64 = 1 << 20
	DefaultTimeout            = 30 * time.Second
	DefaultMediaURLTTL        = time.Hour
)

// twilioMediaHost is where Twilio keeps inbound MMS media; it is the
// default of media_hosts, and its URLs are fetched through api_url.
const twilioMediaHost = "api.twilio.com"

// Config is one SMS channel's section of the YAML file.
type Config struct {
	// Provider selects the driver: "twilio" (default) or "generic".
	Provider string `mapstructure:"provider"`

	// AccountSID and AuthToken are the Twilio credentials: basic auth for
	// the API and media, and the key of X-Twilio-Signature.
	AccountSID string `mapstructure:"account_sid"`
	AuthToken  string `mapstructure:"auth_token"`
	// From is the sender: an E.164 number, a short code or an alphanumeric
	// sender id. Twilio needs From or MessagingServiceSID.
	From                string `mapstructure:"from"`
	MessagingServiceSID string `mapstructure:"messaging_service_sid"`
	// APIURL is the base of the Twilio REST API; tests and proxies point it
	// elsewhere. Default DefaultAPIURL.
	APIURL string `mapstructure:"api_url"`

	// URL receives outbound messages (generic driver).
	URL string `mapstructure:"url"`
	// Secret ("whsec_" + base64) signs both directions (generic driver).
	Secret string `mapstructure:"secret"`

	// PublicURL is the channel's path as the provider reaches it; Twilio
	// signs PublicURL + "/inbound" and PublicURL + "/status". Default: the
	// hub's public_url followed by Path.
	PublicURL string `mapstructure:"public_url"`
	// MaxBodyBytes bounds an inbound request body; default 1 MiB.
	MaxBodyBytes int64 `mapstructure:"max_body_bytes"`
	// MediaHosts lists the hosts inbound media may be fetched from;
	// "*.example.com" admits subdomains. Default: api.twilio.com (twilio),
	// the host of URL (generic).
	MediaHosts []string `mapstructure:"media_hosts"`
	// DefaultRegion (ISO 3166 alpha-2, e.g. "US") reads numbers written
	// without a country code; empty leaves such numbers as they are.
	DefaultRegion string `mapstructure:"default_region"`
	// Timeout bounds each provider request and media fetch; default 30s.
	Timeout time.Duration `mapstructure:"timeout"`
	// MediaURLTTL is how long a signed outbound media URL works; default 1h.
	MediaURLTTL time.Duration `mapstructure:"media_url_ttl"`

	// Path is where the channel's routes mount (the common key "path");
	// the composition root sets it. Default /webhooks/<name>.
	Path string `mapstructure:"-"`
	// Capabilities narrows DefaultCapabilities (the common key).
	Capabilities core.CapabilityOverride `mapstructure:"-"`
}

func (c *Config) setDefaults(name string) {
	if c.Provider == "" {
		c.Provider = ProviderTwilio
	}
	if c.APIURL == "" && c.Provider == ProviderTwilio {
		c.APIURL = DefaultAPIURL
	}
	c.APIURL = strings.TrimRight(c.APIURL, "/")
	c.PublicURL = strings.TrimRight(c.PublicURL, "/")
	if c.MaxBodyBytes == 0 {
		c.MaxBodyBytes = DefaultMaxBodyBytes
	}
	if c.Timeout == 0 {
		c.Timeout = DefaultTimeout
	}
	if c.MediaURLTTL == 0 {
		c.MediaURLTTL = DefaultMediaURLTTL
	}
	if c.Path == "" {
		c.Path = "/webhooks/" + name
	}
	if len(c.MediaHosts) == 0 {
		switch c.Provider {
		case ProviderTwilio:
			c.MediaHosts = []string{twilioMediaHost}
		case ProviderGeneric:
			if u, err := url.Parse(c.URL); err == nil && u.Hostname() != "" {
				c.MediaHosts = []string{u.Hostname()}
			}
		}
	}
	c.DefaultRegion = strings.ToUpper(c.DefaultRegion)
}

// Validate reports the first problem of c, naming its YAML key. Defaults
// apply first, so an empty provider reads as twilio.
func (c Config) Validate() error {
	c.setDefaults("x")
	switch c.Provider {
	case ProviderTwilio:
		if err := c.validateTwilio(); err != nil {
			return err
		}
	case ProviderGeneric:
		if err := c.validateGeneric(); err != nil {
			return err
		}
	default:
		return fmt.Errorf("provider: %q is not twilio or generic", c.Provider)
	}
	if c.PublicURL != "" {
		if err := checkBaseURL(c.PublicURL); err != nil {
			return fmt.Errorf("public_url: %w", err)
		}
	}
	if c.MaxBodyBytes < 0 {
		return fmt.Errorf("max_body_bytes: %d is negative", c.MaxBodyBytes)
	}
	if c.Timeout < 0 {
		return fmt.Errorf("timeout: %s is negative", c.Timeout)
	}
	if c.MediaURLTTL < 0 {
		return fmt.Errorf("media_url_ttl: %s is negative", c.MediaURLTTL)
	}
	for i, h := range c.MediaHosts {
		if h == "" || strings.ContainsAny(h, "/:@ ") {
			return fmt.Errorf("media_hosts[%d]: %q is not a host name", i, h)
		}
	}
	if c.DefaultRegion != "" && !supportedRegion(c.DefaultRegion) {
		return fmt.Errorf("default_region: %q is not a region code such as US or DE", c.DefaultRegion)
	}
	if c.From != "" && strings.HasPrefix(c.From, "+") {
		if _, ok := normalisePhone(c.From, ""); !ok {
			return fmt.Errorf("from: %q is not a phone number in E.164 form", c.From)
		}
	}
	if _, err := DefaultCapabilities().Narrow(c.Capabilities); err != nil {
		return err
	}
	return nil
}

func (c Config) validateTwilio() error {
	switch {
	case c.AccountSID == "":
		return errors.New("account_sid is required")
	case !sidLike(c.AccountSID):
		return errors.New("account_sid: not a Twilio account SID (AC followed by letters and digits)")
	case c.AuthToken == "":
		return errors.New("auth_token is required")
	case c.From == "" && c.MessagingServiceSID == "":
		return errors.New("from or messaging_service_sid is required")
	case c.MessagingServiceSID != "" && !sidLike(c.MessagingServiceSID):
		return errors.New("messaging_service_sid: not a Twilio SID (MG followed by letters and digits)")
	case c.URL != "" || c.Secret != "":
		return errors.New("url and secret belong to provider generic; twilio uses account_sid and auth_token")
	}
	if err := checkBaseURL(c.APIURL); err != nil {
		return fmt.Errorf("api_url: %w", err)
	}
	return nil
}

func (c Config) validateGeneric() error {
	switch {
	case c.URL == "":
		return errors.New("url is required: where the gateway takes outbound messages")
	case c.Secret == "":
		return errors.New("secret is required (whsec_ followed by a base64 key)")
	case c.AccountSID != "" || c.AuthToken != "" || c.MessagingServiceSID != "" || c.APIURL != "":
		return errors.New("account_sid, auth_token, messaging_service_sid and api_url belong to provider twilio")
	}
	if err := checkHTTPURL(c.URL); err != nil {
		return fmt.Errorf("url: %w", err)
	}
	if _, err := parseSecret(c.Secret); err != nil {
		return fmt.Errorf("secret: %w", err)
	}
	return nil
}

// sidLike admits Twilio SIDs: two letters and then letters and digits,
// without asserting the exact length test accounts may not follow.
func sidLike(s string) bool {
	if len(s) < 3 || len(s) > 64 {
		return false
	}
	for _, r := range s {
		if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9') {
			return false
		}
	}
	return true
}

func checkHTTPURL(s string) error {
	u, err := url.Parse(s)
	if err != nil {
		return err
	}
	if (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return fmt.Errorf("%q is not an absolute http or https URL", u.Redacted())
	}
	return nil
}

func checkBaseURL(s string) error {
	if err := checkHTTPURL(s); err != nil {
		return err
	}
	u, _ := url.Parse(s)
	if u.User != nil || u.RawQuery != "" || u.Fragment != "" {
		return fmt.Errorf("%q must be a base URL, without user name, password, query or fragment", u.Redacted())
	}
	return nil
}

func supportedRegion(r string) bool {
	_, ok := phonenumbers.GetSupportedRegions()[r]
	return ok
}
