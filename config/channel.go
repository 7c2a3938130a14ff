package config

import (
	"fmt"
	"reflect"
	"strconv"
	"strings"
	"time"

	"github.com/go-viper/mapstructure/v2"
)

// ChannelDecoder decodes and validates one channel's adapter keys, typically
// by Channel.Decode into the adapter's Config followed by that Config's own
// checks. The composition root keeps one per channel type it is built with.
// A Problems error (what Decode returns) is reported as it is; any other
// error is reported at the channel's key path.
type ChannelDecoder func(ch Channel) error

// Decode decodes the channel's section into the adapter's config struct
// (a pointer), by its mapstructure tags, as strictly as Load: keys the struct
// does not have are problems, values are not converted between types ("5"
// is no number), and a time.Duration takes a string with a unit ("30s",
// "720h", "7d"). The common keys (name, type, group, path, capabilities) and
// the keys listed in known are skipped: the caller reads those itself.
// Struct fields that implement encoding.TextUnmarshaler decode from strings.
//
// The error lists every problem as a Problems value whose paths name the
// key in the file, such as "channels[2].secret".
func (c Channel) Decode(into any, known ...string) error {
	in := make(map[string]any, len(c.Raw))
	for k, v := range c.Raw {
		if !contains(commonKeys, k) && !contains(known, k) {
			in[k] = v
		}
	}
	d, err := mapstructure.NewDecoder(&mapstructure.DecoderConfig{
		ErrorUnused: true,
		DecodeHook:  decodeHook(),
		Result:      into,
	})
	if err != nil {
		return fmt.Errorf("decode %s: %w", c.KeyPath(), err)
	}
	if err := d.Decode(in); err != nil {
		ps := decodeProblems(err, c.KeyPath(), reflect.TypeOf(into), commonKeys)
		for i := range ps {
			ps[i].Line = lineOf(c.lines, ps[i].Path)
		}
		sortByLine(ps)
		return ps
	}
	return nil
}

// KeyPath is where the channel sits in the file, such as "channels[2]", for
// error messages. A Channel not made by Load answers "channels[<name>]".
func (c Channel) KeyPath() string {
	if c.key == "" {
		return "channels[" + c.Name + "]"
	}
	return c.key
}

func contains(keys []string, k string) bool {
	for _, s := range keys {
		if strings.EqualFold(s, k) {
			return true
		}
	}
	return false
}

func decodeHook() mapstructure.DecodeHookFunc {
	return mapstructure.ComposeDecodeHookFunc(
		durationHook,
		mapstructure.TextUnmarshallerHookFunc(),
	)
}

// durationHook parses durations from strings with a unit and refuses bare
// numbers, which mapstructure would otherwise take as nanoseconds. Besides
// time.ParseDuration's units it accepts whole days ("30d").
func durationHook(_, to reflect.Type, data any) (any, error) {
	if to != durationType {
		return data, nil
	}
	switch v := data.(type) {
	case string:
		return parseDuration(v)
	case time.Duration:
		return v, nil
	case int, int64, uint64, float64:
		if reflect.ValueOf(v).IsZero() {
			return time.Duration(0), nil
		}
		return nil, fmt.Errorf("%v has no unit; write it as a duration such as 30s, 15m or 720h", v)
	}
	return data, nil
}

func parseDuration(s string) (time.Duration, error) {
	s = strings.TrimSpace(s)
	if days, ok := strings.CutSuffix(s, "d"); ok {
		if n, err := strconv.Atoi(days); err == nil && n >= 0 && n <= 365*100 {
			return time.Duration(n) * 24 * time.Hour, nil
		}
	}
	d, err := time.ParseDuration(s)
	if err != nil {
		return 0, fmt.Errorf("%q is not a duration; write a number with a unit such as 30s, 15m, 720h or 30d", s)
	}
	return d, nil
}
