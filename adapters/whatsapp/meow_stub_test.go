//go:build nowhatsmeow

package whatsapp

import (
	"context"
	"strings"
	"testing"
)

func TestNew_without_whatsmeow_refuses_the_driver_with_a_clear_error(t *testing.T) {
	e := newHubEnv(t)
	_, err := New(testChannel, Config{Driver: DriverWhatsmeow}, e.deps())
	if err == nil || !strings.Contains(err.Error(), "built without the whatsmeow driver") {
		t.Fatalf("New = %v, want the build-tag error", err)
	}
	if _, err := Pair(context.Background(), PairOptions{}); err == nil || !strings.Contains(err.Error(), "built without the whatsmeow driver") {
		t.Fatalf("Pair = %v, want the build-tag error", err)
	}
}
