// Package config loads Switchboard's one YAML file.
//
// The file is read with viper (a private viper.New(), never the global),
// strictly: a key the hub does not know is a problem that names the key's
// path and, where the file has it, its line. SWITCHBOARD_* environment
// variables override a handful of top-level keys, whether or not the file
// sets them. Precedence is environment, then file, then the defaults below.
//
// Each channel's section is kept raw (Channel.Raw) because only its adapter
// knows its keys; Channel.Decode turns it into the adapter's typed Config with
// the same strictness, and Config.Validate runs those decoders so that
// `switchboard config check` can list every problem in one pass.
package config

import (
	"time"

	"go.yaml.in/yaml/v3"

	"github.com/switchboard-hq/switchboard/core"
)

// Defaults applied to keys the file leaves out.
const (
	DefaultListen           = "127.0.0.1:8080"
	DefaultDataDir          = "./switchboard-data"
	DefaultStoreDriver      = "sqlite"
	DefaultBusDriver        = "memory"
	DefaultLogLevel         = "info"
	DefaultLogFormat        = "text"
	DefaultAutoResolveAfter = 30 * 24 * time.Hour
	DefaultLiveTimeout      = 15 * time.Minute
	DefaultSlots            = 3
)

// Config is the whole configuration file. Load returns it decoded, with
// defaults and environment overrides applied, and validated as far as this
// package can tell (adapter keys are checked by Validate with decoders).
type Config struct {
	// Listen is the host:port the HTTP server binds.
	Listen string `mapstructure:"listen"`
	// PublicURL is how providers and contacts reach the hub (absolute http
	// or https URL, no trailing slash after Load). Empty when unset.
	PublicURL string `mapstructure:"public_url"`
	// DataDir holds the SQLite database, blobs and generated secrets.
	DataDir       string              `mapstructure:"data_dir"`
	Store         StoreConfig         `mapstructure:"store"`
	Bus           BusConfig           `mapstructure:"bus"`
	Log           LogConfig           `mapstructure:"log"`
	Conversations ConversationsConfig `mapstructure:"conversations"`
	// Channels are the channel instances, in file order.
	Channels []Channel `mapstructure:"channels"`
	// Events are the signed event webhooks to external systems.
	Events []EventSubscription `mapstructure:"events"`

	embedded bool
	lines    *yaml.Node        // the parsed file, for line numbers; nil when embedded
	fromEnv  map[string]string // key path -> environment variable that set it
}

// Embedded reports whether c is the built-in default rather than a file: a
// webhook channel and a demo web chat. Their secrets are not in it: the
// composition root generates them and keeps them in DataDir.
func (c *Config) Embedded() bool { return c.embedded }

// StoreConfig chooses the store.
type StoreConfig struct {
	// Driver is "sqlite" (embedded, in DataDir) or "postgres".
	Driver string `mapstructure:"driver"`
	// DSN is the connection string; required for postgres. For sqlite it is
	// optional and empty means a database file in DataDir.
	DSN string `mapstructure:"dsn"`
}

// BusConfig chooses the message bus.
type BusConfig struct {
	// Driver is "memory" (in-process) or "nats" (NATS JetStream).
	Driver string `mapstructure:"driver"`
	// URL is the NATS server URL; required for nats.
	URL string `mapstructure:"url"`
}

// LogConfig sets up the process logger.
type LogConfig struct {
	// Level is debug, info, warn or error.
	Level string `mapstructure:"level"`
	// Format is text or json.
	Format string `mapstructure:"format"`
}

// ConversationsConfig tunes conversation handling.
type ConversationsConfig struct {
	// AutoResolveAfter resolves a conversation after this long without a
	// contact reply; 0 disables auto-resolving.
	AutoResolveAfter time.Duration `mapstructure:"auto_resolve_after"`
	// LiveTimeout ends a conversation's LIVE label after this long without a
	// message from either side, freeing the operator's chat slot.
	LiveTimeout time.Duration `mapstructure:"live_timeout"`
	// DefaultSlots is the chat slots of an operator who has none set.
	DefaultSlots int `mapstructure:"default_slots"`
}

// EventSubscription is one external webhook receiving signed events.
type EventSubscription struct {
	// URL receives the events (absolute http or https URL).
	URL string `mapstructure:"url"`
	// Secret is a Standard Webhooks secret, "whsec_" + base64.
	Secret string `mapstructure:"secret"`
	// Types lists the event types delivered; "*" means all.
	Types []string `mapstructure:"types"`
}

// Channel is one channel instance: the keys every channel has, plus its whole
// section raw for its adapter to decode.
type Channel struct {
	// Name is unique, 1-32 characters of a-z, 0-9, _ and -; it appears in
	// URLs and bus topics.
	Name string `mapstructure:"name"`
	// Type is the adapter: webchat, email, telegram, whatsapp, sms,
	// messenger or webhook.
	Type string `mapstructure:"type"`
	// Group is the operator group conversations are routed to; empty means
	// every operator.
	Group string `mapstructure:"group"`
	// Path is where the channel's provider webhooks mount; Load sets it to
	// /webhooks/<name> when the file does not.
	Path string `mapstructure:"path"`
	// Capabilities narrows the adapter's defaults (core.Capabilities.Narrow).
	Capabilities core.CapabilityOverride `mapstructure:"capabilities"`
	// Raw is the channel's whole section, common keys included. Keys are
	// lower-case (viper folds them). Use Decode rather than reading it.
	Raw map[string]any `mapstructure:",remain"`

	key   string     // key path such as "channels[2]"
	lines *yaml.Node // the parsed file, for line numbers
}

// commonKeys are the channel keys config itself decodes.
var commonKeys = []string{"name", "type", "group", "path", "capabilities"}

// Default returns the built-in configuration used when no file is given:
// the defaults above, a webhook channel named "webhook" and a web chat named
// "demo", without secrets (see Config.Embedded).
func Default() *Config {
	c, err := Load("", nil)
	if err != nil {
		panic("config: the embedded default is invalid: " + err.Error())
	}
	return c
}

// embeddedYAML is the file Load reads when given no path.
const embeddedYAML = `channels:
  - name: webhook
    type: webhook
  - name: demo
    type: webchat
    title: Switchboard demo
`

func defaults() *Config {
	return &Config{
		Listen:  DefaultListen,
		DataDir: DefaultDataDir,
		Store:   StoreConfig{Driver: DefaultStoreDriver},
		Bus:     BusConfig{Driver: DefaultBusDriver},
		Log:     LogConfig{Level: DefaultLogLevel, Format: DefaultLogFormat},
		Conversations: ConversationsConfig{
			AutoResolveAfter: DefaultAutoResolveAfter,
			LiveTimeout:      DefaultLiveTimeout,
			DefaultSlots:     DefaultSlots,
		},
	}
}
