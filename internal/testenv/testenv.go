// Package testenv decides what a test does when a service or tool it needs
// (PostgreSQL, NATS, Chromium) is absent: skip with a one-line reason, or fail
// when SWITCHBOARD_TEST_REQUIRE names it, as CI does.
package testenv

import (
	"os"
	"slices"
	"strings"
	"testing"
)

// Required reports whether SWITCHBOARD_TEST_REQUIRE (a comma-separated list)
// names name.
func Required(name string) bool {
	for _, n := range strings.Split(os.Getenv("SWITCHBOARD_TEST_REQUIRE"), ",") {
		if strings.EqualFold(strings.TrimSpace(n), name) {
			return true
		}
	}
	return false
}

// Need stops the test unless available: it fails if name is required and
// skips otherwise, giving why as the reason.
func Need(t testing.TB, name string, available bool, why string) {
	t.Helper()
	if available {
		return
	}
	if Required(name) {
		t.Fatalf("%s is required (SWITCHBOARD_TEST_REQUIRE) but unavailable: %s", name, why)
	}
	t.Skipf("%s unavailable: %s", name, why)
}

// Names lists the required names, for logs.
func Names() []string {
	var out []string
	for _, n := range strings.Split(os.Getenv("SWITCHBOARD_TEST_REQUIRE"), ",") {
		if n = strings.TrimSpace(n); n != "" && !slices.Contains(out, n) {
			out = append(out, n)
		}
	}
	return out
}
