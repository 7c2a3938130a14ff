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

// generatedSecret is a channel secret the embedded default made.
type generatedSecret struct {
	channel, file, secret string
	fresh                 bool // made on this start
}

// ensureDefaultSecrets gives the embedded default's channels the secrets the
// default leaves out, each kept in the data dir (<name>-secret) and
// generated on first start.
func ensureDefaultSecrets(cfg *config.Config) ([]generatedSecret, error) {
	if !cfg.Embedded() {
		return nil, nil
	}
	var out []generatedSecret
	for i, ch := range cfg.Channels {
		if ch.Raw["secret"] != nil {
			continue
		}
		g, err := channelSecret(cfg.DataDir, ch.Name)
		if err != nil {
			return nil, err
		}
		raw := map[string]any{}
		for k, v := range ch.Raw {
			raw[k] = v
		}
		raw["secret"] = g.secret
		cfg.Channels[i].Raw = raw
		out = append(out, g)
	}
	return out, nil
}

// channelSecret reads the secret kept for channel in dir, or makes one: a
// Standard Webhooks secret of 24 random bytes (also long enough for a web
// chat widget).
func channelSecret(dir, channel string) (generatedSecret, error) {
	g := generatedSecret{channel: channel, file: filepath.Join(dir, channel+"-secret")}
	b, err := os.ReadFile(g.file)
	if errors.Is(err, os.ErrNotExist) {
		key := make([]byte, 24)
		_, _ = rand.Read(key)
		b = []byte("whsec_" + base64.StdEncoding.EncodeToString(key))
		if err := os.MkdirAll(dir, 0o750); err != nil {
			return g, err
		}
		if err := os.WriteFile(g.file, b, 0o600); err != nil {
			return g, fmt.Errorf("write the secret of channel %s: %w", channel, err)
		}
		g.fresh = true
	} else if err != nil {
		return g, fmt.Errorf("read the secret of channel %s: %w", channel, err)
	}
	g.secret = strings.TrimSpace(string(b))
	return g, nil
}

// inboundJSON decodes an Inbound published on the inbound topic.
func inboundJSON(payload []byte) (core.Inbound, error) {
	var in core.Inbound
	if err := json.Unmarshal(payload, &in); err != nil {
		return in, core.Permanent(fmt.Errorf("decode inbound: %w", err))
	}
	return in, nil
}
