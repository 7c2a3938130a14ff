package inbox

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"strconv"
	"strings"

	"github.com/switchboard-hq/switchboard/core"
)

// MaxJSONBody bounds a JSON request body.
const MaxJSONBody = 1 << 20

// decodeJSON reads r's body into v strictly: JSON content type, one object,
// no unknown fields, at most MaxJSONBody bytes. Its errors say what to fix.
func decodeJSON(w http.ResponseWriter, r *http.Request, v any) error {
	if ct := r.Header.Get("Content-Type"); ct != "" {
		mt, _, err := mime.ParseMediaType(ct)
		if err != nil || mt != "application/json" {
			return core.Invalidf("send the body as JSON with Content-Type: application/json, not %q", ct)
		}
	} else {
		return core.Invalidf("send the body as JSON with Content-Type: application/json")
	}
	dec := json.NewDecoder(http.MaxBytesReader(w, r.Body, MaxJSONBody))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return jsonError(err)
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		var maxBytes *http.MaxBytesError
		if errors.As(err, &maxBytes) {
			return err
		}
		return core.Invalidf("the body must hold a single JSON object; remove what follows it")
	}
	return nil
}

// jsonError explains a decoding failure to the client.
func jsonError(err error) error {
	var (
		syntax    *json.SyntaxError
		typ       *json.UnmarshalTypeError
		maxBytes  *http.MaxBytesError
		fieldName string
	)
	switch {
	case errors.As(err, &maxBytes):
		return err
	case errors.Is(err, io.EOF):
		return core.Invalidf("the request body is empty; send a JSON object")
	case errors.Is(err, io.ErrUnexpectedEOF):
		return core.Invalidf("the JSON body ends too early")
	case errors.As(err, &syntax):
		return core.Invalidf("malformed JSON at byte %d: %v", syntax.Offset, syntax)
	case errors.As(err, &typ):
		fieldName = typ.Field
		if fieldName == "" {
			return core.Invalidf("the body must be a JSON object, not %s", typ.Value)
		}
		return core.Invalidf("field %q must be %s, not %s", fieldName, jsonKind(typ.Type.Kind().String()), typ.Value)
	case strings.HasPrefix(err.Error(), "json: unknown field "):
		return core.Invalidf("unknown field %s", strings.TrimPrefix(err.Error(), "json: unknown field "))
	}
	var ce *core.Error
	if errors.As(err, &ce) {
		return err // from a custom UnmarshalJSON
	}
	return core.Invalidf("malformed JSON: %v", err)
}

func jsonKind(goKind string) string {
	switch goKind {
	case "string":
		return "a string"
	case "bool":
		return "true or false"
	case "slice", "array":
		return "an array"
	case "map", "struct":
		return "an object"
	case "ptr":
		return "a value of another type"
	}
	if strings.HasPrefix(goKind, "int") || strings.HasPrefix(goKind, "uint") || strings.HasPrefix(goKind, "float") {
		return "a number"
	}
	return goKind
}

// writeJSON answers with v as JSON.
func writeJSON(w http.ResponseWriter, status int, v any) {
	b, err := json.Marshal(v)
	if err != nil {
		status = http.StatusInternalServerError
		b = []byte(`{"error":{"code":"internal","message":"internal error; the details are in the server log"}}`)
	}
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(status)
	_, _ = w.Write(append(b, '\n'))
}

// queryLimit parses the limit query parameter: def when absent, at most max.
func queryLimit(r *http.Request, def, max int) (int, error) {
	v := r.URL.Query().Get("limit")
	if v == "" {
		return def, nil
	}
	n, err := strconv.Atoi(v)
	if err != nil || n < 1 {
		return 0, core.Invalidf("limit must be a positive whole number, not %q", v)
	}
	return min(n, max), nil
}

// optionalString distinguishes a JSON field left out from one set to null.
type optionalString struct {
	Set   bool
	Null  bool
	Value string
}

// UnmarshalJSON accepts a string or null.
func (o *optionalString) UnmarshalJSON(b []byte) error {
	o.Set = true
	if string(b) == "null" {
		o.Null = true
		return nil
	}
	if err := json.Unmarshal(b, &o.Value); err != nil {
		return core.Invalidf("expected a string or null, not %s", b)
	}
	return nil
}

// byteCount renders n bytes for people.
func byteCount(n int64) string {
	switch {
	case n >= 1<<20 && n%(1<<20) == 0:
		return fmt.Sprintf("%d MiB", n>>20)
	case n >= 1<<20:
		return fmt.Sprintf("%.1f MiB", float64(n)/(1<<20))
	case n >= 1<<10:
		return fmt.Sprintf("%.1f KiB", float64(n)/(1<<10))
	}
	return fmt.Sprintf("%d bytes", n)
}
