package messenger

import (
	"fmt"
	"strings"
	"time"

	"github.com/switchboard-hq/switchboard/adapters/internal/meta"
	"github.com/switchboard-hq/switchboard/core"
)

// Type is the channel type in the YAML file.
const Type = "messenger"

// Defaults of Config.
const (
	DefaultGraphURL           = "https://graph.facebook.com"
	DefaultGraphVersion       = "v21.0"
	DefaultMaxBodyBytes int64 = 1 << 20
	DefaultTimeout            = 30 * time.Second
)

// DefaultMediaHosts are the hosts Messenger serves attachment URLs from;
// "*.fbcdn.net" admits every subdomain of fbcdn.net.
var DefaultMediaHosts = []string{"*.fbcdn.net", "cdn.fbsbx.com", "lookaside.fbsbx.com"}

// Config is one Messenger channel's section of the YAML file.
type Config struct {
	// AppSecret is the Meta app's secret: it verifies X-Hub-Signature-256
	// and signs Graph calls (appsecret_proof).
	AppSecret string `mapstructure:"app_secret"`
	// VerifyToken is the token typed into the app dashboard's webhook
	// settings; the GET handshake must present it.
	VerifyToken string `mapstructure:"verify_token"`
	// PageToken is the page access token replies are sent with.
	PageToken string `mapstructure:"page_token"`
	// GraphURL is the Graph API's base URL (DefaultGraphURL); tests and
	// proxies point it elsewhere.
	GraphURL string `mapstructure:"graph_url"`
	// GraphVersion is the API version in request paths (DefaultGraphVersion).
	GraphVersion string `mapstructure:"graph_version"`
	// MaxBodyBytes bounds a webhook body (DefaultMaxBodyBytes).
	MaxBodyBytes int64 `mapstructure:"max_body_bytes"`
	// HumanAgent allows replies between 24 hours and 7 days after the
	// contact's last message with the HUMAN_AGENT tag; nil means true. The
	// page needs Meta's Human Agent permission for it.
	HumanAgent *bool `mapstructure:"human_agent"`
	// MediaHosts are the hosts inbound attachments are fetched from
	// (DefaultMediaHosts when empty); "*.example.com" admits subdomains.
	MediaHosts []string `mapstructure:"media_hosts"`
	// Timeout bounds each Graph call and each media download
	// (DefaultTimeout).
	Timeout time.Duration `mapstructure:"timeout"`
	// Capabilities narrows DefaultCapabilities.
	Capabilities core.CapabilityOverride `mapstructure:"capabilities"`
}

func (c *Config) setDefaults() {
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
	if len(c.MediaHosts) == 0 {
		c.MediaHosts = DefaultMediaHosts
	}
	if c.Timeout == 0 {
		c.Timeout = DefaultTimeout
	}
}

// humanAgent reports whether the HUMAN_AGENT tag may be used.
func (c Config) humanAgent() bool { return c.HumanAgent == nil || *c.HumanAgent }

// Validate reports the first problem of c, naming its YAML key. Keys left
// empty that have defaults are not problems.
func (c Config) Validate() error {
	for _, k := range []struct{ key, value string }{
		{"app_secret", c.AppSecret}, {"verify_token", c.VerifyToken}, {"page_token", c.PageToken},
	} {
		if strings.TrimSpace(k.value) == "" {
			return fmt.Errorf("%s is required", k.key)
		}
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
	for i, h := range c.MediaHosts {
		if h == "" || strings.ContainsAny(h, "/ :") || strings.Count(h, "*") > 1 || (strings.Contains(h, "*") && !strings.HasPrefix(h, "*.")) {
			return fmt.Errorf("media_hosts[%d]: %q is not a host name or *.domain", i, h)
		}
	}
	if _, err := DefaultCapabilities().Narrow(c.Capabilities); err != nil {
		return err
	}
	return nil
}
