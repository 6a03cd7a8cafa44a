package cli

import (
	"io"
	"os"

	"golang.org/x/term"
)

// IO is the process's streams and environment, injected so tests can run commands in-process.
type IO struct {
	In          io.Reader
	Out, Err    io.Writer
	StdinTTY    bool
	StdoutTTY   bool
	StderrTTY   bool
	Getenv      func(string) string
	Interrupted <-chan os.Signal // nil: never
}

// System is the real process environment.
func System() IO {
	return IO{
		In: os.Stdin, Out: os.Stdout, Err: os.Stderr,
		StdinTTY:  term.IsTerminal(int(os.Stdin.Fd())),
		StdoutTTY: term.IsTerminal(int(os.Stdout.Fd())),
		StderrTTY: term.IsTerminal(int(os.Stderr.Fd())),
		Getenv:    os.Getenv,
	}
}
