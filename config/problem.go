package config

import (
	"errors"
	"fmt"
	"reflect"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/go-viper/mapstructure/v2"
)

// Problem is one thing wrong with a configuration.
type Problem struct {
	// Path is the key path, such as "channels[1].name".
	Path string
	// Message says what is wrong, for people.
	Message string
	// Line is the key's line in the file, 0 when unknown (the embedded
	// default, a value from the environment, a key the file leaves out).
	Line int
}

// String is "path: message", with the line after the path when known:
// `channels[1].name (line 12): must be unique ("crm" is used by channels[0])`.
func (p Problem) String() string {
	if p.Line > 0 {
		return fmt.Sprintf("%s (line %d): %s", p.Path, p.Line, p.Message)
	}
	return p.Path + ": " + p.Message
}

// Problems is every problem found in a configuration. As an error it lists
// them all, one per line.
type Problems []Problem

func (ps Problems) Error() string {
	switch len(ps) {
	case 0:
		return "no problems"
	case 1:
		return ps[0].String()
	}
	var b strings.Builder
	fmt.Fprintf(&b, "%d problems:", len(ps))
	for _, p := range ps {
		b.WriteString("\n\t")
		b.WriteString(p.String())
	}
	return b.String()
}

// decodeProblems turns a mapstructure error into problems. prefix is the key
// path of the decoded value, root its Go type (to suggest keys) and extra
// further keys known at its top level.
func decodeProblems(err error, prefix string, root reflect.Type, extra []string) Problems {
	var ps Problems
	var walk func(error)
	walk = func(err error) {
		de, ok := err.(*mapstructure.DecodeError)
		if !ok {
			if j, ok := err.(interface{ Unwrap() []error }); ok {
				for _, e := range j.Unwrap() {
					walk(e)
				}
			} else if inner := errors.Unwrap(err); inner != nil {
				walk(inner) // mapstructure's "decoding failed due to..." wrapper
			} else {
				ps = append(ps, Problem{Path: prefix, Message: err.Error()})
			}
			return
		}
		path := joinPath(prefix, de.Name())
		inner := de.Unwrap()
		// mapstructure reports unused keys only in this text; the tests of
		// unknown keys notice if a new version words it differently.
		if keys, ok := strings.CutPrefix(inner.Error(), "has invalid keys: "); ok {
			known := keysAt(root, de.Name())
			if de.Name() == "" {
				known = append(known, extra...)
			}
			for _, k := range strings.Split(keys, ", ") {
				ps = append(ps, Problem{Path: joinPath(path, k), Message: unknownKey(k, known)})
			}
			return
		}
		ps = append(ps, Problem{Path: path, Message: describeError(inner)})
	}
	walk(err)
	return ps
}

func joinPath(prefix, name string) string {
	switch {
	case prefix == "":
		return name
	case name == "":
		return prefix
	case strings.HasPrefix(name, "["):
		return prefix + name
	}
	return prefix + "." + name
}

func unknownKey(k string, known []string) string {
	if s := closest(k, known); s != "" {
		return fmt.Sprintf("unknown key %q (did you mean %q?)", k, s)
	}
	return fmt.Sprintf("unknown key %q", k)
}

// describeError rewrites mapstructure's messages for people who write YAML.
func describeError(err error) string {
	var ut *mapstructure.UnconvertibleTypeError
	if errors.As(err, &ut) {
		return fmt.Sprintf("must be %s, not %s", describeType(ut.Expected.Type()), describeValue(ut.Value))
	}
	msg := err.Error()
	switch {
	case strings.HasPrefix(msg, "expected a map or struct"):
		return "must be a mapping of keys to values"
	case strings.HasPrefix(msg, "source data must be an array or slice"):
		return "must be a list"
	}
	return msg
}

func describeType(t reflect.Type) string {
	if t == durationType {
		return "a duration such as 30s, 15m or 720h"
	}
	switch t.Kind() {
	case reflect.Pointer:
		return describeType(t.Elem())
	case reflect.String:
		return "a string"
	case reflect.Bool:
		return "true or false"
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		return "a whole number"
	case reflect.Float32, reflect.Float64:
		return "a number"
	case reflect.Slice, reflect.Array:
		return "a list"
	case reflect.Map, reflect.Struct:
		return "a mapping of keys to values"
	}
	return t.String()
}

func describeValue(v any) string {
	switch v := v.(type) {
	case string:
		return strconv.Quote(v)
	case map[string]any, map[any]any:
		return "a mapping"
	case []any:
		return "a list"
	}
	return fmt.Sprint(v)
}

var durationType = reflect.TypeFor[time.Duration]()

// annotate adds line numbers from the file and says which problems come from
// the environment, then orders the problems as they appear in the file.
func (c *Config) annotate(ps Problems) Problems {
	for i := range ps {
		p := &ps[i]
		if name, ok := c.fromEnv[p.Path]; ok {
			p.Message += " (set by " + name + ")"
			continue
		}
		if p.Line == 0 {
			p.Line = lineOf(c.lines, p.Path)
		}
	}
	sortByLine(ps)
	return ps
}

// sortByLine orders problems by line, keeping those without one after the
// others in their original order.
func sortByLine(ps Problems) {
	sort.SliceStable(ps, func(i, j int) bool {
		a, b := ps[i].Line, ps[j].Line
		return a > 0 && (b == 0 || a < b)
	})
}

// merge appends to decoded the validation problems that are not mere
// consequences of a decoding problem at the same key (a value that failed to
// decode also looks missing).
func merge(decoded, validated Problems) Problems {
	out := append(Problems(nil), decoded...)
	for _, v := range validated {
		if !covered(v.Path, decoded) {
			out = append(out, v)
		}
	}
	sortByLine(out)
	return out
}

func covered(path string, by Problems) bool {
	for _, d := range by {
		if path == d.Path || strings.HasPrefix(path, d.Path+".") || strings.HasPrefix(path, d.Path+"[") {
			return true
		}
	}
	return false
}
