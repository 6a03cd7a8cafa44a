// Command exoform keeps a Microsoft 365 tenant's mail configuration as code.
package main

import (
	"os"

	"github.com/exoform/exoform/cmd/exoform/cli"
)

func main() {
	os.Exit(cli.Main(os.Args[1:], cli.System()))
}
