package main

import "testing"

func TestConfigExample_passes_config_check_with_every_channel_type_decoded(t *testing.T) {
	problems, err := checkConfig("../../config.example.yaml", nil)
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range problems {
		t.Errorf("config.example.yaml: %s", p)
	}
}
