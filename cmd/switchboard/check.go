package main

import (
	"errors"
	"fmt"
	"io"
)

// errProblems reports that a command already printed what is wrong.
var errProblems = errors.New("problems reported")

// configCmd runs `switchboard config check FILE`: it prints every problem of
// the file with its key path and fails if there is any.
func configCmd(args []string, stdout io.Writer, env []string) error {
	if len(args) == 0 || args[0] != "check" {
		return fmt.Errorf("%w: want `config check FILE`", errUsage)
	}
	fs, path := flags("config check")
	if err := parse(fs, args[1:]); err != nil {
		return err
	}
	file := *path
	if fs.NArg() > 0 {
		file = fs.Arg(0)
	}
	if file == "" || fs.NArg() > 1 {
		return fmt.Errorf("%w: want exactly one FILE", errUsage)
	}
	problems, err := checkConfig(file, env)
	if err != nil {
		return err
	}
	if len(problems) == 0 {
		fmt.Fprintf(stdout, "%s: ok\n", file)
		return nil
	}
	for _, p := range problems {
		fmt.Fprintf(stdout, "%s: %s\n", file, p)
	}
	fmt.Fprintf(stdout, "%d problem(s)\n", len(problems))
	return errProblems
}
