package main

import (
	"log/slog"
	"net/http"

	"github.com/switchboard-hq/switchboard/adapters/webhook"
	"github.com/switchboard-hq/switchboard/config"
	"github.com/switchboard-hq/switchboard/core"
)

// channelDeps is what channel factories get from the composition root.
type channelDeps struct {
	// Receiver stores inbound messages durably (the hub, once built).
	Receiver webhook.Receiver
	Blobs    core.BlobStore
	// State is the channel instance's own durable key-value state.
	State  core.ChannelState
	Logger *slog.Logger
	// PublicURL is how providers and contacts reach the hub.
	PublicURL string
	// Database is the hub's SQLite file, for libraries that keep their own
	// tables beside the hub's (the whatsmeow session store).
	Database string
	// Hub returns the hub; valid only once the app is built (in Run, in
	// handlers), never during build.
	Hub func() *core.Hub
}

// builtChannel is one running channel instance.
type builtChannel struct {
	adapter core.Channel
	// api, when set, is mounted at /api/v1/channels/<name>/messages.
	api http.Handler
	// webhook, when set, is mounted at the channel's path for provider
	// callbacks.
	webhook http.Handler
	// routes are further patterns the channel serves ("GET /widget.js"),
	// mounted as given; two channels claiming one pattern is an error.
	routes map[string]http.Handler
}

// channelType knows how to check and build one kind of channel.
type channelType struct {
	decode func(ch config.Channel) error
	build  func(ch config.Channel, deps channelDeps) (builtChannel, error)
}

// channelTypes is the registry of channel types this binary is built with.
func channelTypes() map[string]channelType {
	return map[string]channelType{
		webhook.Type: {decode: decodeWebhook, build: buildWebhook},
		"webchat":    webchatType(),
		"telegram":   {decode: decodeTelegram, build: buildTelegram},
		"messenger":  {decode: decodeMessenger, build: buildMessenger},
		"sms":        {decode: decodeSMS, build: buildSMS},
		"email":      {decode: decodeEmail, build: buildEmail},
		"whatsapp":   {decode: decodeWhatsApp, build: buildWhatsApp},
	}
}

// decoders returns the config checkers of every registered channel type.
func decoders() map[string]config.ChannelDecoder {
	out := map[string]config.ChannelDecoder{}
	for name, t := range channelTypes() {
		out[name] = t.decode
	}
	return out
}

func webhookConfig(ch config.Channel) (webhook.Config, error) {
	var cfg webhook.Config
	if err := ch.Decode(&cfg); err != nil {
		return cfg, err
	}
	cfg.Capabilities = ch.Capabilities
	return cfg, nil
}

func decodeWebhook(ch config.Channel) error {
	cfg, err := webhookConfig(ch)
	if err != nil {
		return err
	}
	return cfg.Validate()
}

func buildWebhook(ch config.Channel, deps channelDeps) (builtChannel, error) {
	cfg, err := webhookConfig(ch)
	if err != nil {
		return builtChannel{}, err
	}
	c, err := webhook.New(ch.Name, cfg, webhook.Deps{
		Receiver: deps.Receiver, Blobs: deps.Blobs, Logger: deps.Logger, PublicURL: deps.PublicURL,
	})
	if err != nil {
		return builtChannel{}, err
	}
	return builtChannel{adapter: c, api: c.Handler()}, nil
}
