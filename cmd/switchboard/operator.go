package main

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"strings"
	"text/tabwriter"

	"github.com/switchboard-hq/switchboard/core"
)

// stringList is a repeatable flag.
type stringList []string

func (s *stringList) String() string     { return strings.Join(*s, ",") }
func (s *stringList) Set(v string) error { *s = append(*s, v); return nil }

// operatorCmd runs `switchboard operator add|list`.
func operatorCmd(ctx context.Context, args []string, stdout io.Writer, env []string) error {
	if len(args) == 0 || (args[0] != "add" && args[0] != "list") {
		return fmt.Errorf("%w: want `operator add` or `operator list`", errUsage)
	}
	sub := args[0]
	fs, path := flags("operator " + sub)
	var (
		email, name, password, role string
		slots                       int
		groups                      stringList
	)
	if sub == "add" {
		fs.StringVar(&email, "email", "", "the operator's email address (their login)")
		fs.StringVar(&name, "name", "", "the operator's full name")
		fs.StringVar(&password, "password", "", "the operator's password")
		fs.StringVar(&role, "role", "operator", "admin or operator")
		fs.IntVar(&slots, "slots", 0, "chat slots (default from the configuration)")
		fs.Var(&groups, "group", "an operator group (repeatable)")
	}
	if err := parse(fs, args[1:]); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("%w: unexpected %q", errUsage, fs.Arg(0))
	}
	cfg, err := loadConfig(*path, env)
	if err != nil {
		return err
	}
	log := slog.New(slog.DiscardHandler)
	st, err := openStorage(ctx, cfg, log)
	if err != nil {
		return err
	}
	defer st.store.Close()
	hub, err := core.NewHub(core.HubConfig{Store: st.store, Blobs: st.blobs, Logger: log, DefaultSlots: cfg.Conversations.DefaultSlots})
	if err != nil {
		return err
	}
	if sub == "add" {
		op, err := hub.CreateOperator(ctx, core.NewOperator{
			Email: email, Name: name, Password: password, Role: core.Role(role), Groups: groups, Slots: slots,
		})
		if err != nil {
			return err
		}
		fmt.Fprintf(stdout, "created %s %s <%s> (%s)\n", op.Role, op.Name, op.Email, op.ID)
		return nil
	}
	ops, err := hub.Store().Operators(ctx)
	if err != nil {
		return err
	}
	tw := tabwriter.NewWriter(stdout, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "ID\tEMAIL\tNAME\tROLE\tGROUPS\tSLOTS")
	for _, o := range ops {
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%d\n", o.ID, o.Email, o.Name, o.Role, strings.Join(o.Groups, ","), o.Slots)
	}
	return tw.Flush()
}
