package config

import (
	"bytes"
	"fmt"
	"os"
	"reflect"
	"strings"

	"github.com/go-viper/mapstructure/v2"
	"github.com/spf13/viper"
	"go.yaml.in/yaml/v3"
)

// envKeys are the environment variables Load honours and the keys they set.
var envKeys = []struct{ name, key string }{
	{"SWITCHBOARD_LISTEN", "listen"},
	{"SWITCHBOARD_PUBLIC_URL", "public_url"},
	{"SWITCHBOARD_DATA_DIR", "data_dir"},
	{"SWITCHBOARD_STORE_DRIVER", "store.driver"},
	{"SWITCHBOARD_STORE_DSN", "store.dsn"},
	{"SWITCHBOARD_BUS_DRIVER", "bus.driver"},
	{"SWITCHBOARD_BUS_URL", "bus.url"},
	{"SWITCHBOARD_LOG_LEVEL", "log.level"},
	{"SWITCHBOARD_LOG_FORMAT", "log.format"},
}

// Load reads the YAML file at path, or the embedded default when path is "",
// applies the environment overrides found in env and validates the result
// with Validate(nil).
//
// env is in os.Environ form ("KEY=value"; a later entry wins); Load reads no
// other environment. It honours SWITCHBOARD_LISTEN, SWITCHBOARD_PUBLIC_URL,
// SWITCHBOARD_DATA_DIR, SWITCHBOARD_STORE_DRIVER, SWITCHBOARD_STORE_DSN,
// SWITCHBOARD_BUS_DRIVER, SWITCHBOARD_BUS_URL, SWITCHBOARD_LOG_LEVEL and
// SWITCHBOARD_LOG_FORMAT, whether or not the file sets the key; an empty
// value counts as unset.
//
// A file that cannot be read or is not YAML is an error of its own. Problems
// with the content (unknown keys, wrong types, invalid values) are returned
// all together as a Problems error (use errors.As). On any error the Config
// is nil. Adapter keys are not checked here: see Check and Config.Validate.
func Load(path string, env []string) (*Config, error) {
	c, decoded, err := load(path, env)
	if err != nil {
		return nil, err
	}
	if ps := merge(decoded, c.Validate(nil)); len(ps) > 0 {
		return nil, fmt.Errorf("config %s: %w", source(path), ps)
	}
	return c, nil
}

// Check lists every problem in the configuration at path, adapter keys
// included: it is Load followed by Config.Validate(decoders), except that it
// keeps going past problems that would stop Load. It is what `switchboard
// config check` prints. The error is for a file that cannot be read or is
// not YAML; no problems and no error means the configuration is good.
func Check(path string, env []string, decoders map[string]ChannelDecoder) (Problems, error) {
	c, decoded, err := load(path, env)
	if err != nil {
		return nil, err
	}
	return merge(decoded, c.Validate(decoders)), nil
}

// load decodes the configuration without validating it. It returns the
// decoding problems (unknown keys, wrong types) beside a best-effort Config.
func load(path string, env []string) (*Config, Problems, error) {
	src := []byte(embeddedYAML)
	if path != "" {
		b, err := os.ReadFile(path)
		if err != nil {
			return nil, nil, fmt.Errorf("config: %w", err)
		}
		src = b
	}
	var root yaml.Node
	if err := yaml.Unmarshal(src, &root); err != nil {
		return nil, nil, fmt.Errorf("config %s: %w", source(path), err)
	}
	if len(root.Content) > 0 && root.Content[0].Kind != yaml.MappingNode {
		return nil, nil, fmt.Errorf("config %s: line %d: the file must be a mapping of keys to values", source(path), root.Content[0].Line)
	}

	v := viper.New()
	v.SetConfigType("yaml")
	if err := v.ReadConfig(bytes.NewReader(src)); err != nil {
		return nil, nil, fmt.Errorf("config %s: %w", source(path), err)
	}

	fromEnv := applyEnv(v, env)
	c := defaults()
	var ps Problems
	if err := v.UnmarshalExact(c, strictDecoding); err != nil {
		ps = decodeProblems(err, "", reflect.TypeOf(c), nil)
	}
	c.embedded = path == ""
	c.fromEnv = fromEnv
	if path != "" {
		c.lines = &root
	}

	sections, _ := v.Get("channels").([]any)
	for i := range c.Channels {
		ch := &c.Channels[i]
		ch.key = fmt.Sprintf("channels[%d]", i)
		ch.lines = c.lines
		ch.Raw = map[string]any{}
		if i < len(sections) {
			if m, ok := sections[i].(map[string]any); ok {
				ch.Raw = deepCopy(m).(map[string]any)
			}
		}
		if ch.Path == "" && ch.Name != "" {
			ch.Path = "/webhooks/" + ch.Name
		}
	}
	c.PublicURL = strings.TrimRight(c.PublicURL, "/")
	return c, c.annotate(ps), nil
}

// applyEnv sets the keys named by SWITCHBOARD_* variables as viper
// overrides, which (unlike AutomaticEnv) reach Unmarshal even when the file
// lacks the key. It returns which variable set which key.
func applyEnv(v *viper.Viper, env []string) map[string]string {
	vals := make(map[string]string, len(env))
	for _, kv := range env {
		if k, val, ok := strings.Cut(kv, "="); ok {
			vals[k] = val
		}
	}
	set := map[string]string{}
	for _, e := range envKeys {
		if val := vals[e.name]; val != "" {
			v.Set(e.key, val)
			set[e.key] = e.name
		}
	}
	return set
}

// strictDecoding turns off viper's weak typing ("yes" is not true, 5 is not
// "5") and parses durations strictly.
func strictDecoding(dc *mapstructure.DecoderConfig) {
	dc.WeaklyTypedInput = false
	dc.DecodeHook = decodeHook()
}

func source(path string) string {
	if path == "" {
		return "(built-in default)"
	}
	return path
}

func deepCopy(v any) any {
	switch v := v.(type) {
	case map[string]any:
		m := make(map[string]any, len(v))
		for k, e := range v {
			m[k] = deepCopy(e)
		}
		return m
	case []any:
		s := make([]any, len(v))
		for i, e := range v {
			s[i] = deepCopy(e)
		}
		return s
	}
	return v
}
