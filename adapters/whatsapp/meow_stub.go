//go:build nowhatsmeow

package whatsapp

import (
	"context"
	"errors"
	"io"
	"log/slog"

	"github.com/switchboard-hq/switchboard/core"
)

// errNoWhatsmeow is the configuration error of a binary built with the
// nowhatsmeow tag (without the GPL-3.0 dependency) that is asked for the
// whatsmeow driver.
var errNoWhatsmeow = errors.New("driver whatsmeow: this binary was built without the whatsmeow driver (build tag nowhatsmeow); use driver cloud or a build without the tag")

func newWhatsmeow(*Adapter, func() (string, error)) (driver, error) { return nil, errNoWhatsmeow }

// PairOptions configure Pair.
type PairOptions struct {
	Channel    string
	State      core.ChannelState
	SessionDSN func() (string, error)
	Phone      string
	Out        io.Writer
	Logger     *slog.Logger
}

// Pair fails: this binary was built without the whatsmeow driver.
func Pair(context.Context, PairOptions) (string, error) { return "", errNoWhatsmeow }
