package main

import (
	"strings"

	"github.com/switchboard-hq/switchboard/adapters/telegram"
	"github.com/switchboard-hq/switchboard/config"
)

func telegramConfig(ch config.Channel) (telegram.Config, error) {
	var cfg telegram.Config
	if err := ch.Decode(&cfg); err != nil {
		return cfg, err
	}
	cfg.Capabilities = ch.Capabilities
	return cfg, nil
}

func decodeTelegram(ch config.Channel) error {
	cfg, err := telegramConfig(ch)
	if err != nil {
		return err
	}
	return cfg.Validate()
}

// buildTelegram builds one bot. In webhook mode Telegram is told to post to
// the hub's public URL at the channel's path, unless webhook_url says
// otherwise; the handler is mounted only then.
func buildTelegram(ch config.Channel, deps channelDeps) (builtChannel, error) {
	cfg, err := telegramConfig(ch)
	if err != nil {
		return builtChannel{}, err
	}
	if cfg.WebhookURL == "" && deps.PublicURL != "" {
		cfg.WebhookURL = strings.TrimSuffix(deps.PublicURL, "/") + ch.Path
	}
	a, err := telegram.New(ch.Name, cfg, telegram.Deps{
		Receiver: deps.Receiver, Blobs: deps.Blobs, State: deps.State, Logger: deps.Logger,
	})
	if err != nil {
		return builtChannel{}, err
	}
	b := builtChannel{adapter: a}
	if cfg.Mode == telegram.ModeWebhook {
		b.webhook = a.Handler()
	}
	return b, nil
}
