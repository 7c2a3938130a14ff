package main

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"strings"

	"github.com/switchboard-hq/switchboard/config"
	"github.com/switchboard-hq/switchboard/core"
	"github.com/switchboard-hq/switchboard/core/store/blobfs"
	"github.com/switchboard-hq/switchboard/core/store/sqlite"
)

func checkConfig(file string, env []string) (config.Problems, error) {
	return config.Check(file, env, decoders())
}

// loadConfig reads the configuration at path ("" for the embedded default)
// and checks the channels' own keys too.
func loadConfig(path string, env []string) (*config.Config, error) {
	cfg, err := config.Load(path, env)
	if err != nil {
		return nil, err
	}
	if ps := cfg.Validate(decoders()); len(ps) > 0 {
		return nil, fmt.Errorf("config: %w", ps)
	}
	return cfg, nil
}

func newLogger(cfg config.LogConfig, w io.Writer) *slog.Logger {
	var level slog.Level
	_ = level.UnmarshalText([]byte(cfg.Level)) // validated by config
	opts := &slog.HandlerOptions{Level: level}
	if cfg.Format == "json" {
		return slog.New(slog.NewJSONHandler(w, opts))
	}
	return slog.New(slog.NewTextHandler(w, opts))
}

// storage is the opened store and blob store.
type storage struct {
	store *sqlite.Store
	blobs core.BlobStore
	// path is the SQLite database file.
	path string
}

func openStorage(ctx context.Context, cfg *config.Config, log *slog.Logger) (storage, error) {
	if cfg.Store.Driver != "sqlite" {
		return storage{}, fmt.Errorf("store driver %q is not available in this build; use sqlite", cfg.Store.Driver)
	}
	if err := os.MkdirAll(cfg.DataDir, 0o750); err != nil {
		return storage{}, fmt.Errorf("data dir: %w", err)
	}
	path := cfg.Store.DSN
	if path == "" {
		path = filepath.Join(cfg.DataDir, "switchboard.db")
	}
	st, err := sqlite.Open(ctx, sqlite.Config{Path: path, Logger: log.With("component", "store")})
	if err != nil {
		return storage{}, err
	}
	blobs, err := blobfs.New(filepath.Join(cfg.DataDir, "blobs"))
	if err != nil {
		st.Close()
		return storage{}, err
	}
	return storage{store: st, blobs: blobs, path: path}, nil
}

// ensureDefaultSecret gives the embedded default's webhook channel a secret
// kept in the data dir, generated on first start. It reports a newly made
// secret so it can be printed once.
func ensureDefaultSecret(cfg *config.Config) (string, bool, error) {
	if !cfg.Embedded() {
		return "", false, nil
	}
	file := filepath.Join(cfg.DataDir, "webhook-secret")
	for i, ch := range cfg.Channels {
		if ch.Type != "webhook" || ch.Raw["secret"] != nil {
			continue
		}
		b, err := os.ReadFile(file)
		fresh := false
		if errors.Is(err, os.ErrNotExist) {
			key := make([]byte, 24)
			_, _ = rand.Read(key)
			b = []byte("whsec_" + base64.StdEncoding.EncodeToString(key))
			if err := os.MkdirAll(cfg.DataDir, 0o750); err != nil {
				return "", false, err
			}
			if err := os.WriteFile(file, b, 0o600); err != nil {
				return "", false, fmt.Errorf("write webhook secret: %w", err)
			}
			fresh = true
		} else if err != nil {
			return "", false, fmt.Errorf("read webhook secret: %w", err)
		}
		secret := strings.TrimSpace(string(b))
		raw := map[string]any{}
		for k, v := range ch.Raw {
			raw[k] = v
		}
		raw["secret"] = secret
		cfg.Channels[i].Raw = raw
		return secret, fresh, nil
	}
	return "", false, nil
}

// inboundJSON decodes an Inbound published on the inbound topic.
func inboundJSON(payload []byte) (core.Inbound, error) {
	var in core.Inbound
	if err := json.Unmarshal(payload, &in); err != nil {
		return in, core.Permanent(fmt.Errorf("decode inbound: %w", err))
	}
	return in, nil
}
