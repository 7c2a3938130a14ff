package main

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"strings"

	"github.com/switchboard-hq/switchboard/adapters/whatsapp"
	"github.com/switchboard-hq/switchboard/core"
)

// whatsappUsage documents `switchboard whatsapp`.
const whatsappUsage = "switchboard whatsapp pair --channel NAME [--phone +15550100] [--config FILE]"

// whatsappCmd runs `switchboard whatsapp pair`: it links a WhatsApp account
// to a whatsmeow channel from the terminal, printing the QR codes as text
// (or, with --phone, a pairing code to type on that phone).
func whatsappCmd(ctx context.Context, args []string, stdout io.Writer, env []string) error {
	if len(args) == 0 || args[0] != "pair" {
		return fmt.Errorf("%w: want `%s`", errUsage, whatsappUsage)
	}
	fs, path := flags("whatsapp pair")
	name := fs.String("channel", "", "the whatsmeow channel to link")
	phone := fs.String("phone", "", "link with a pairing code typed on this phone instead of a QR code")
	if err := parse(fs, args[1:]); err != nil {
		return err
	}
	if fs.NArg() > 0 || *name == "" {
		return fmt.Errorf("%w: want `%s`", errUsage, whatsappUsage)
	}
	cfg, err := loadConfig(*path, env)
	if err != nil {
		return err
	}
	var found bool
	for _, ch := range cfg.Channels {
		if ch.Name != *name {
			continue
		}
		wc, err := whatsappConfig(ch)
		if ch.Type != whatsapp.Type || err != nil || !strings.EqualFold(wc.Driver, whatsapp.DriverWhatsmeow) {
			return fmt.Errorf("channel %s is not a whatsapp channel with driver whatsmeow", *name)
		}
		found = true
	}
	if !found {
		return fmt.Errorf("no channel named %q in the configuration", *name)
	}
	log := slog.New(slog.DiscardHandler)
	st, err := openStorage(ctx, cfg, log)
	if err != nil {
		return err
	}
	defer st.store.Close()
	_, err = whatsapp.Pair(ctx, whatsapp.PairOptions{
		Channel: *name, State: core.StoreState(st.store, *name), Phone: *phone, Out: stdout, Logger: log,
		SessionDSN: func() (string, error) { return whatsapp.SQLiteDSN(st.path), nil },
	})
	return err
}
