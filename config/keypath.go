package config

import (
	"reflect"
	"strconv"
	"strings"

	"go.yaml.in/yaml/v3"
)

// splitPath splits a key path such as "channels[0].capabilities" into
// "channels", "[0]", "capabilities".
func splitPath(path string) []string {
	var segs []string
	for _, part := range strings.Split(path, ".") {
		for part != "" {
			i := strings.IndexByte(part[1:], '[') + 1
			if i == 0 {
				segs = append(segs, part)
				break
			}
			segs = append(segs, part[:i])
			part = part[i:]
		}
	}
	return segs
}

// lineOf returns the line of the deepest node of the file on the key path,
// or 0. Keys compare case-insensitively, as viper folds them.
func lineOf(doc *yaml.Node, path string) int {
	if doc == nil || len(doc.Content) == 0 {
		return 0
	}
	n, line := doc.Content[0], 0
	for _, seg := range splitPath(path) {
		var next *yaml.Node
		if idx, ok := strings.CutPrefix(seg, "["); ok && n.Kind == yaml.SequenceNode {
			i, err := strconv.Atoi(strings.TrimSuffix(idx, "]"))
			if err != nil || i < 0 || i >= len(n.Content) {
				return line
			}
			next = n.Content[i]
			line = next.Line
		} else if n.Kind == yaml.MappingNode {
			key := strings.Trim(seg, "[]")
			for i := 0; i+1 < len(n.Content); i += 2 {
				if strings.EqualFold(n.Content[i].Value, key) {
					next = n.Content[i+1]
					line = n.Content[i].Line
					break
				}
			}
		}
		if next == nil {
			return line
		}
		n = next
	}
	return line
}

// keysAt lists the keys a Go type accepts at a key path below it, by its
// mapstructure tags; nil when the path leads to no struct.
func keysAt(t reflect.Type, path string) []string {
	for _, seg := range splitPath(path) {
		t = deref(t)
		if strings.HasPrefix(seg, "[") {
			if t.Kind() != reflect.Slice && t.Kind() != reflect.Array && t.Kind() != reflect.Map {
				return nil
			}
			t = t.Elem()
			continue
		}
		if t.Kind() != reflect.Struct {
			return nil
		}
		f, ok := fieldByKey(t, seg)
		if !ok {
			return nil
		}
		t = f.Type
	}
	t = deref(t)
	if t.Kind() != reflect.Struct {
		return nil
	}
	var keys []string
	for i := 0; i < t.NumField(); i++ {
		if k, ok := keyOf(t.Field(i)); ok {
			keys = append(keys, k)
		}
	}
	return keys
}

func fieldByKey(t reflect.Type, key string) (reflect.StructField, bool) {
	for i := 0; i < t.NumField(); i++ {
		if k, ok := keyOf(t.Field(i)); ok && strings.EqualFold(k, key) {
			return t.Field(i), true
		}
	}
	return reflect.StructField{}, false
}

// keyOf is the key mapstructure decodes into f, if any.
func keyOf(f reflect.StructField) (string, bool) {
	if !f.IsExported() {
		return "", false
	}
	tag := f.Tag.Get("mapstructure")
	name, opts, _ := strings.Cut(tag, ",")
	if name == "-" || strings.Contains(opts, "remain") || strings.Contains(opts, "squash") {
		return "", false
	}
	if name == "" {
		return strings.ToLower(f.Name), true
	}
	return name, true
}

func deref(t reflect.Type) reflect.Type {
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	return t
}

// closest returns the known key nearest to k by edit distance, if it is
// near enough to be a typo.
func closest(k string, known []string) string {
	best, bestD := "", 3
	for _, c := range known {
		if d := distance(strings.ToLower(k), strings.ToLower(c)); d < bestD && d < len(k) {
			best, bestD = c, d
		}
	}
	return best
}

// distance is the Levenshtein distance between a and b.
func distance(a, b string) int {
	prev := make([]int, len(b)+1)
	cur := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev, cur = cur, prev
	}
	return prev[len(b)]
}
