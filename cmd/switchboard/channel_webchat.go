package main

import (
	"github.com/switchboard-hq/switchboard/adapters/webchat"
	"github.com/switchboard-hq/switchboard/config"
)

// webchatType builds web chat widgets. Every instance serves its own
// endpoints under /webchat/<name>/; the widgets of one hub share one
// /widget.js and /demo, which the first instance built serves for all of
// them through the directory this closure holds.
func webchatType() channelType {
	dir := webchat.NewDirectory()
	first := true
	return channelType{decode: decodeWebchat, build: func(ch config.Channel, deps channelDeps) (builtChannel, error) {
		b, err := buildWebchat(ch, deps, dir, first)
		if err == nil {
			first = false
		}
		return b, err
	}}
}

func webchatConfig(ch config.Channel) (webchat.Config, error) {
	var cfg webchat.Config
	if err := ch.Decode(&cfg); err != nil {
		return cfg, err
	}
	cfg.Capabilities = ch.Capabilities
	cfg.Group = ch.Group
	return cfg, nil
}

func decodeWebchat(ch config.Channel) error {
	cfg, err := webchatConfig(ch)
	if err != nil {
		return err
	}
	return cfg.Validate()
}

func buildWebchat(ch config.Channel, deps channelDeps, dir *webchat.Directory, shared bool) (builtChannel, error) {
	cfg, err := webchatConfig(ch)
	if err != nil {
		return builtChannel{}, err
	}
	a, err := webchat.New(ch.Name, cfg, webchat.Deps{
		Receiver: deps.Receiver, Blobs: deps.Blobs, State: deps.State, Logger: deps.Logger,
		PublicURL: deps.PublicURL, Hub: func() webchat.Hub { return deps.Hub() },
	})
	if err != nil {
		return builtChannel{}, err
	}
	dir.Add(a)
	routes := a.Routes()
	if shared {
		for pattern, h := range dir.Routes() {
			routes[pattern] = h
		}
	}
	return builtChannel{adapter: a, routes: routes}, nil
}
