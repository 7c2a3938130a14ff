package main

import (
	"github.com/switchboard-hq/switchboard/adapters/email"
	"github.com/switchboard-hq/switchboard/config"
)

// emailConfig decodes an email channel's keys; capabilities are the
// channel's common key.
func emailConfig(ch config.Channel) (email.Config, error) {
	var cfg email.Config
	if err := ch.Decode(&cfg); err != nil {
		return cfg, err
	}
	cfg.Capabilities = ch.Capabilities
	return cfg, nil
}

func decodeEmail(ch config.Channel) error {
	cfg, err := emailConfig(ch)
	if err != nil {
		return err
	}
	return cfg.Validate()
}

// buildEmail builds an email channel: a runner polling IMAP (and serving
// inbound SMTP when configured), and the hub's mailer.
func buildEmail(ch config.Channel, deps channelDeps) (builtChannel, error) {
	cfg, err := emailConfig(ch)
	if err != nil {
		return builtChannel{}, err
	}
	a, err := email.New(ch.Name, cfg, email.Deps{
		Receiver: deps.Receiver, Blobs: deps.Blobs, State: deps.State, Logger: deps.Logger,
		Store: func() email.Store {
			if h := deps.Hub(); h != nil {
				return h.Store()
			}
			return nil
		},
	})
	if err != nil {
		return builtChannel{}, err
	}
	return builtChannel{adapter: a}, nil
}
