// Command switchboard runs the Switchboard channel gateway: it serves the
// operator API and the channels' webhooks, and manages operators and
// configuration from the command line.
//
//	switchboard [serve] [--config FILE]
//	switchboard config check FILE
//	switchboard operator add --email E --name N --password P --role admin|operator [--group G]
//	switchboard operator list
//	switchboard whatsapp pair --channel NAME [--phone +E164]
//	switchboard version
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"runtime/debug"
	"syscall"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := run(ctx, os.Args[1:], os.Stdout, os.Stderr, os.Environ())
	stop()
	os.Exit(code)
}

// errUsage marks a command-line mistake; run prints usage for it.
var errUsage = errors.New("usage")

const usage = `Usage:
  switchboard [serve] [--config FILE]
  switchboard config check FILE
  switchboard operator add --email EMAIL --name NAME --password PASSWORD --role admin|operator [--group GROUP]... [--slots N]
  switchboard operator list
  switchboard version

Every subcommand accepts --config FILE; without it the embedded default
configuration is used (SQLite and an in-process bus in ./switchboard-data).
SWITCHBOARD_* environment variables override configuration keys.
`

// run executes one command line and returns the process exit code.
func run(ctx context.Context, args []string, stdout, stderr io.Writer, env []string) int {
	cmd, rest := "serve", args
	if len(args) > 0 && args[0] != "" && args[0][0] != '-' {
		cmd, rest = args[0], args[1:]
	}
	var err error
	switch cmd {
	case "serve":
		err = serveCmd(ctx, rest, stdout, stderr, env)
	case "config":
		err = configCmd(rest, stdout, env)
	case "operator":
		err = operatorCmd(ctx, rest, stdout, env)
	case "whatsapp":
		err = whatsappCmd(ctx, rest, stdout, env)
	case "version":
		fmt.Fprintln(stdout, "switchboard", version())
	case "help", "-h", "--help":
		fmt.Fprint(stdout, usage)
	default:
		err = fmt.Errorf("%w: unknown command %q", errUsage, cmd)
	}
	switch {
	case err == nil:
		return 0
	case errors.Is(err, flag.ErrHelp):
		fmt.Fprint(stdout, usage)
		return 0
	case errors.Is(err, errUsage):
		fmt.Fprintln(stderr, "switchboard:", err)
		fmt.Fprint(stderr, usage)
		return 2
	case errors.Is(err, errProblems):
		return 1
	}
	fmt.Fprintln(stderr, "switchboard:", err)
	return 1
}

// flags returns a flag set with the --config flag every subcommand has.
func flags(name string) (*flag.FlagSet, *string) {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	path := fs.String("config", "", "configuration file (default: the embedded default)")
	return fs, path
}

func parse(fs *flag.FlagSet, args []string) error {
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return err
		}
		return fmt.Errorf("%w: %v", errUsage, err)
	}
	return nil
}

func version() string {
	info, ok := debug.ReadBuildInfo()
	if !ok {
		return "unknown"
	}
	v := info.Main.Version
	for _, s := range info.Settings {
		if s.Key == "vcs.revision" && len(s.Value) >= 12 {
			v += " " + s.Value[:12]
		}
	}
	return v + " " + info.GoVersion
}
