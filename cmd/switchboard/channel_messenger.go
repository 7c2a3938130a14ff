package main

import (
	"context"
	"errors"

	"github.com/switchboard-hq/switchboard/adapters/messenger"
	"github.com/switchboard-hq/switchboard/config"
	"github.com/switchboard-hq/switchboard/core"
)

func messengerConfig(ch config.Channel) (messenger.Config, error) {
	var cfg messenger.Config
	if err := ch.Decode(&cfg); err != nil {
		return cfg, err
	}
	cfg.Capabilities = ch.Capabilities
	return cfg, nil
}

func decodeMessenger(ch config.Channel) error {
	cfg, err := messengerConfig(ch)
	if err != nil {
		return err
	}
	return cfg.Validate()
}

func buildMessenger(ch config.Channel, deps channelDeps) (builtChannel, error) {
	cfg, err := messengerConfig(ch)
	if err != nil {
		return builtChannel{}, err
	}
	a, err := messenger.New(ch.Name, cfg, messenger.Deps{
		Receiver: messengerReceiver{recv: deps.Receiver, hub: deps.Hub},
		Blobs:    deps.Blobs, State: deps.State, Logger: deps.Logger,
	})
	if err != nil {
		return builtChannel{}, err
	}
	return builtChannel{adapter: a, webhook: a.Handler()}, nil
}

// messengerReceiver gives the Messenger adapter the hub's watermark receipts
// beside Receive. The hub exists only once the app is built, before any
// request is served.
type messengerReceiver struct {
	recv interface {
		Receive(ctx context.Context, in core.Inbound) (core.Receipt, error)
	}
	hub func() *core.Hub
}

func (r messengerReceiver) Receive(ctx context.Context, in core.Inbound) (core.Receipt, error) {
	return r.recv.Receive(ctx, in)
}

func (r messengerReceiver) ReceiveWatermark(ctx context.Context, w core.Watermark) (int, error) {
	var h *core.Hub
	if r.hub != nil {
		h = r.hub()
	}
	if h == nil {
		return 0, errors.New("the hub is not running yet")
	}
	return h.ReceiveWatermark(ctx, w)
}
