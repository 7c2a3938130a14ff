package fixturetest_test

import (
	"io"
	"testing"

	"github.com/switchboard-hq/switchboard/internal/fixturetest"
)

func TestLoadRequest_rebuilds_the_recorded_bytes(t *testing.T) {
	r := fixturetest.LoadRequest(t, "messenger", "01_text.json")
	req := r.HTTP()
	body, _ := io.ReadAll(req.Body)
	if string(body) != r.Body || req.Method != r.Method || req.Header.Get("X-Hub-Signature-256") == "" {
		t.Fatalf("rebuilt %s %s with %d body bytes, want the recorded request", req.Method, req.URL, len(body))
	}
}

func TestManifest_decodes_into_the_tests_own_case_type(t *testing.T) {
	var cases []struct {
		File        string         `json:"file"`
		Description string         `json:"description"`
		Secret      string         `json:"secret"`
		URL         string         `json:"url"`
		Limits      map[string]int `json:"limits"`
		Expect      map[string]any `json:"expect"`
	}
	fixturetest.Manifest(t, "sms", &cases)
	if len(cases) == 0 || cases[0].File == "" {
		t.Fatalf("cases = %+v, want the SMS manifest", cases)
	}
}
