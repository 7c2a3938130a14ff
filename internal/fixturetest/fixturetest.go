// Package fixturetest reads the shared provider fixtures that sit beside the
// repository (../shared/fixtures/<channel>): a channel's manifest of cases,
// decoded strictly into the test's own case type, and its recorded webhook
// requests, rebuilt byte for byte.
//
// A missing fixture directory fails the test with a clear message: the
// fixtures are part of what every adapter must pass, never skipped.
package fixturetest

import (
	"bytes"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
)

// Dir is the fixture directory of channel ("messenger", "whatsapp-cloud").
func Dir(tb testing.TB, channel string) string {
	tb.Helper()
	_, file, _, ok := runtime.Caller(0)
	if !ok {
		tb.Fatal("fixturetest: cannot locate the repository")
	}
	// internal/fixturetest/fixturetest.go -> the repository -> its parent.
	dir := filepath.Join(filepath.Dir(file), "..", "..", "..", "shared", "fixtures", channel)
	if _, err := os.Stat(filepath.Join(dir, "cases.json")); err != nil {
		tb.Fatalf("the shared %s fixtures are missing (%v): check out ../shared beside the repository", channel, err)
	}
	return dir
}

// Manifest decodes channel's cases.json into cases (a pointer to a slice of
// the test's case type), refusing keys the type does not have: a key the
// test does not know must be asserted before the test may pass.
func Manifest(tb testing.TB, channel string, cases any) {
	tb.Helper()
	data, err := os.ReadFile(filepath.Join(Dir(tb, channel), "cases.json"))
	if err != nil {
		tb.Fatal(err)
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(cases); err != nil {
		tb.Fatalf("%s/cases.json: %v (a key this test does not know must be asserted before it may pass)", channel, err)
	}
}

// Request is a recorded webhook request file.
type Request struct {
	Method  string            `json:"method"`
	Path    string            `json:"path"`
	Headers map[string]string `json:"headers"`
	Body    string            `json:"body"`
}

// LoadRequest reads one request file of channel.
func LoadRequest(tb testing.TB, channel, file string) Request {
	tb.Helper()
	data, err := os.ReadFile(filepath.Join(Dir(tb, channel), file))
	if err != nil {
		tb.Fatal(err)
	}
	var r Request
	if err := json.Unmarshal(data, &r); err != nil {
		tb.Fatalf("%s/%s: %v", channel, file, err)
	}
	return r
}

// HTTP rebuilds the recorded request; its body is the exact signed bytes.
func (r Request) HTTP() *http.Request {
	req := httptest.NewRequest(r.Method, r.Path, strings.NewReader(r.Body))
	for k, v := range r.Headers {
		if k != "Content-Length" {
			req.Header.Set(k, v)
		}
	}
	req.Host = r.Headers["Host"]
	return req
}
