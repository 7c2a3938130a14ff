package whatsapp

import (
	"fmt"
	"regexp"
	"strings"
	"time"

	"github.com/switchboard-hq/switchboard/adapters/internal/meta"
	"github.com/switchboard-hq/switchboard/core"
)

// Type is the channel type in the YAML file.
const Type = "whatsapp"

// Drivers: how the channel reaches WhatsApp.
const (
	// DriverWhatsmeow links the hub as a companion device of a WhatsApp
	// account (the multi-device web protocol, through go.mau.fi/whatsmeow).
	DriverWhatsmeow = "whatsmeow"
	// DriverCloud uses the WhatsApp Business Cloud API of a Meta app.
	DriverCloud = "cloud"
)

// Defaults of Config.
const (
	DefaultGraphURL           = "https://graph.facebook.com"
	DefaultGraphVersion       = "v21.0"
	DefaultMaxBodyBytes int64 = 1 << 20
	DefaultTimeout            = 30 * time.Second
	// DefaultPacing is the least time between two messages to one chat.
	DefaultPacing = time.Second
	// DefaultSendTimeout is how long a message waits for a disconnected
	// session before it fails.
	DefaultSendTimeout = 10 * time.Minute
)

// Config is one WhatsApp channel's section of the YAML file. Driver picks
// which of the other keys apply; a key of the other driver is an error.
type Config struct {
	// Driver is DriverWhatsmeow or DriverCloud. Required.
	Driver string `mapstructure:"driver"`

	// AppSecret is the Meta app's secret: it verifies X-Hub-Signature-256
	// (cloud).
	AppSecret string `mapstructure:"app_secret"`
	// VerifyToken is the token typed into the app dashboard's webhook
	// settings; Meta's GET handshake must present it (cloud).
	VerifyToken string `mapstructure:"verify_token"`
	// AccessToken is the system user's token messages and media are sent
	// and fetched with (cloud).
	AccessToken string `mapstructure:"access_token"`
	// PhoneNumberID is the business phone number's id: messages are sent
	// from it, and webhook events for other numbers are skipped (cloud).
	// Quote it in YAML ("106183529041772"): decoding is strict and a bare
	// number is not a string.
	PhoneNumberID string `mapstructure:"phone_number_id"`
	// GraphURL is the Graph API's base URL (DefaultGraphURL); tests and
	// proxies point it elsewhere (cloud).
	GraphURL string `mapstructure:"graph_url"`
	// GraphVersion is the API version in request paths
	// (DefaultGraphVersion) (cloud).
	GraphVersion string `mapstructure:"graph_version"`
	// Templates are the message templates Meta approved for the number:
	// the only messages allowed outside the 24-hour customer service
	// window (cloud).
	Templates []Template `mapstructure:"templates"`
	// MaxBodyBytes bounds a webhook body (DefaultMaxBodyBytes) (cloud).
	MaxBodyBytes int64 `mapstructure:"max_body_bytes"`
	// Timeout bounds each Graph call and media transfer (DefaultTimeout)
	// (cloud).
	Timeout time.Duration `mapstructure:"timeout"`

	// Pacing is the least time between two messages to one chat
	// (DefaultPacing) (whatsmeow).
	Pacing time.Duration `mapstructure:"pacing"`
	// SendTimeout is how long a message waits for a disconnected session
	// before it fails with the reason (DefaultSendTimeout) (whatsmeow).
	SendTimeout time.Duration `mapstructure:"send_timeout"`
	// AllowDelete lets operators delete (revoke) a sent message while
	// WhatsApp still allows it, 48 hours (whatsmeow).
	AllowDelete bool `mapstructure:"allow_delete"`

	// Capabilities narrows DefaultCapabilities.
	Capabilities core.CapabilityOverride `mapstructure:"capabilities"`
}

// Template is one approved message template.
type Template struct {
	// Name is the template's name at Meta, e.g. "order_update".
	Name string `mapstructure:"name"`
	// Language is its language code, e.g. "en_US".
	Language string `mapstructure:"language"`
	// Parameters names the body's {{1}}, {{2}}, ... in order; an operator
	// gives exactly as many values.
	Parameters []string `mapstructure:"parameters"`
}

var templateName = regexp.MustCompile(`^[a-z0-9_]{1,512}$`)
var languageCode = regexp.MustCompile(`^[a-z]{2,3}(_[A-Za-z0-9]{2,8})?$`)

func (c *Config) setDefaults() {
	c.Driver = strings.ToLower(strings.TrimSpace(c.Driver))
	switch c.Driver {
	case DriverCloud:
		if c.GraphURL == "" {
			c.GraphURL = DefaultGraphURL
		}
		c.GraphURL = strings.TrimRight(c.GraphURL, "/")
		if c.GraphVersion == "" {
			c.GraphVersion = DefaultGraphVersion
		}
		if c.MaxBodyBytes == 0 {
			c.MaxBodyBytes = DefaultMaxBodyBytes
		}
		if c.Timeout == 0 {
			c.Timeout = DefaultTimeout
		}
	case DriverWhatsmeow:
		if c.Pacing == 0 {
			c.Pacing = DefaultPacing
		}
		if c.SendTimeout == 0 {
			c.SendTimeout = DefaultSendTimeout
		}
	}
}

// Validate reports the first problem of c, naming its YAML key. Keys left
// empty that have defaults are not problems.
func (c Config) Validate() error {
	switch strings.ToLower(strings.TrimSpace(c.Driver)) {
	case DriverCloud:
		return c.validateCloud()
	case DriverWhatsmeow:
		return c.validateWhatsmeow()
	case "":
		return fmt.Errorf("driver is required: %s or %s", DriverWhatsmeow, DriverCloud)
	}
	return fmt.Errorf("driver: %q is not %s or %s", c.Driver, DriverWhatsmeow, DriverCloud)
}

func (c Config) validateCloud() error {
	for _, k := range []struct{ key, value string }{
		{"app_secret", c.AppSecret}, {"verify_token", c.VerifyToken},
		{"access_token", c.AccessToken}, {"phone_number_id", c.PhoneNumberID},
	} {
		if strings.TrimSpace(k.value) == "" {
			return fmt.Errorf("%s is required for the cloud driver", k.key)
		}
	}
	if strings.Trim(c.PhoneNumberID, "0123456789") != "" {
		return fmt.Errorf("phone_number_id: %q is not a number id (digits only)", c.PhoneNumberID)
	}
	if err := meta.ValidateGraph(c.GraphURL, c.GraphVersion, DefaultGraphVersion); err != nil {
		return err
	}
	if c.MaxBodyBytes < 0 {
		return fmt.Errorf("max_body_bytes: %d is negative", c.MaxBodyBytes)
	}
	if c.Timeout < 0 {
		return fmt.Errorf("timeout: %s is negative", c.Timeout)
	}
	seen := map[string]bool{}
	for i, t := range c.Templates {
		switch {
		case !templateName.MatchString(t.Name):
			return fmt.Errorf("templates[%d].name: %q is not a template name (lower-case letters, digits and _)", i, t.Name)
		case !languageCode.MatchString(t.Language):
			return fmt.Errorf("templates[%d].language: %q is not a language code such as en_US", i, t.Language)
		case seen[t.Name]:
			return fmt.Errorf("templates[%d].name: %q is listed twice", i, t.Name)
		}
		seen[t.Name] = true
		for j, p := range t.Parameters {
			if strings.TrimSpace(p) == "" {
				return fmt.Errorf("templates[%d].parameters[%d] is empty; name each parameter", i, j)
			}
		}
	}
	for _, k := range []struct {
		key string
		set bool
	}{{"pacing", c.Pacing != 0}, {"send_timeout", c.SendTimeout != 0}, {"allow_delete", c.AllowDelete}} {
		if k.set {
			return fmt.Errorf("%s applies to the whatsmeow driver only", k.key)
		}
	}
	return c.validateCapabilities()
}

func (c Config) validateWhatsmeow() error {
	for _, k := range []struct {
		key string
		set bool
	}{
		{"app_secret", c.AppSecret != ""}, {"verify_token", c.VerifyToken != ""},
		{"access_token", c.AccessToken != ""}, {"phone_number_id", c.PhoneNumberID != ""},
		{"graph_url", c.GraphURL != ""}, {"graph_version", c.GraphVersion != ""},
		{"templates", len(c.Templates) > 0}, {"max_body_bytes", c.MaxBodyBytes != 0}, {"timeout", c.Timeout != 0},
	} {
		if k.set {
			return fmt.Errorf("%s applies to the cloud driver only", k.key)
		}
	}
	if c.Pacing < 0 {
		return fmt.Errorf("pacing: %s is negative", c.Pacing)
	}
	if c.SendTimeout < 0 {
		return fmt.Errorf("send_timeout: %s is negative", c.SendTimeout)
	}
	return c.validateCapabilities()
}

func (c Config) validateCapabilities() error {
	_, err := c.baseCapabilities().Narrow(c.Capabilities)
	return err
}
