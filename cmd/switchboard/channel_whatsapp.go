package main

import (
	"context"
	"errors"

	"github.com/switchboard-hq/switchboard/adapters/whatsapp"
	"github.com/switchboard-hq/switchboard/config"
	"github.com/switchboard-hq/switchboard/core"
)

func whatsappConfig(ch config.Channel) (whatsapp.Config, error) {
	var cfg whatsapp.Config
	if err := ch.Decode(&cfg); err != nil {
		return cfg, err
	}
	cfg.Capabilities = ch.Capabilities
	return cfg, nil
}

func decodeWhatsApp(ch config.Channel) error {
	cfg, err := whatsappConfig(ch)
	if err != nil {
		return err
	}
	return cfg.Validate()
}

// buildWhatsApp builds a WhatsApp channel. The cloud driver's webhook
// mounts at the channel's path; both drivers serve {path}/status, and the
// whatsmeow driver {path}/pair and {path}/pair/phone for admins. The
// whatsmeow session lives in the hub's own SQLite file, in tables of its own.
func buildWhatsApp(ch config.Channel, deps channelDeps) (builtChannel, error) {
	cfg, err := whatsappConfig(ch)
	if err != nil {
		return builtChannel{}, err
	}
	a, err := whatsapp.New(ch.Name, cfg, whatsapp.Deps{
		Receiver: deps.Receiver, Blobs: deps.Blobs, State: deps.State, Logger: deps.Logger,
		Auth:       hubAuth{hub: deps.Hub},
		SessionDSN: func() (string, error) { return whatsapp.SQLiteDSN(deps.Database), nil },
	})
	if err != nil {
		return builtChannel{}, err
	}
	return builtChannel{adapter: a, webhook: a.Handler(), routes: a.Routes(ch.Path)}, nil
}

// hubAuth checks operator sessions with the hub, which exists only once the
// app is built, before any request is served.
type hubAuth struct{ hub func() *core.Hub }

func (a hubAuth) Authenticate(ctx context.Context, token string) (core.Operator, error) {
	var h *core.Hub
	if a.hub != nil {
		h = a.hub()
	}
	if h == nil {
		return core.Operator{}, errors.New("the hub is not running yet")
	}
	return h.Authenticate(ctx, token)
}
