package main

import (
	"github.com/switchboard-hq/switchboard/adapters/sms"
	"github.com/switchboard-hq/switchboard/config"
)

// smsConfig decodes an sms channel's keys; the common path and
// capabilities keys are the channel's own.
func smsConfig(ch config.Channel) (sms.Config, error) {
	var cfg sms.Config
	if err := ch.Decode(&cfg); err != nil {
		return cfg, err
	}
	cfg.Path = ch.Path
	cfg.Capabilities = ch.Capabilities
	return cfg, nil
}

func decodeSMS(ch config.Channel) error {
	cfg, err := smsConfig(ch)
	if err != nil {
		return err
	}
	return cfg.Validate()
}

// buildSMS builds an sms channel; its provider callbacks and media URLs are
// routes under the channel's path.
func buildSMS(ch config.Channel, deps channelDeps) (builtChannel, error) {
	cfg, err := smsConfig(ch)
	if err != nil {
		return builtChannel{}, err
	}
	a, err := sms.New(ch.Name, cfg, sms.Deps{
		Receiver: deps.Receiver, Blobs: deps.Blobs, State: deps.State, Logger: deps.Logger, PublicURL: deps.PublicURL,
	})
	if err != nil {
		return builtChannel{}, err
	}
	return builtChannel{adapter: a, routes: a.Routes()}, nil
}
