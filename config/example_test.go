package config_test

import (
	"fmt"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/switchboard-hq/switchboard/config"
)

func TestExampleFile_has_no_problems(t *testing.T) {
	path := filepath.Join("..", "config.example.yaml")
	// Without decoders only the keys config owns are checked; the adapters'
	// keys are checked with every decoder by cmd/switchboard's tests.
	ps, err := config.Check(path, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range ps {
		t.Errorf("%s: %s", path, p)
	}
	c, err := config.Load(path, nil)
	if err != nil {
		t.Fatal(err)
	}
	if len(c.Channels) == 0 || len(c.Events) == 0 || c.PublicURL == "" {
		t.Errorf("the example leaves out channels, events or public_url: %+v", c)
	}
}

// An adapter's section is decoded by the composition root into the adapter's
// own Config; problems name the key in the file.
func ExampleChannel_Decode() {
	dir, _ := os.MkdirTemp("", "switchboard")
	defer os.RemoveAll(dir)
	path := filepath.Join(dir, "switchboard.yaml")
	_ = os.WriteFile(path, []byte(`
channels:
  - name: crm
    type: webhook
    url: http://127.0.0.1:9999/outbound
    timeout: 5s
    retries: 3
`), 0o600)

	cfg, err := config.Load(path, nil)
	if err != nil {
		fmt.Println(err)
		return
	}
	var hook struct {
		URL     string        `mapstructure:"url"`
		Timeout time.Duration `mapstructure:"timeout"`
	}
	err = cfg.Channels[0].Decode(&hook)
	fmt.Println(hook.URL, hook.Timeout)
	fmt.Println(err)
	// Output:
	// http://127.0.0.1:9999/outbound 5s
	// channels[0].retries (line 7): unknown key "retries"
}
