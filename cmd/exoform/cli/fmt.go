package cli

import (
	"bytes"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hclwrite"
	"github.com/spf13/cobra"

	"github.com/exoform/exoform/schema"
	"github.com/exoform/exoform/schema/diag"
)

func (a *app) fmtCmd() *cobra.Command {
	var check, recursive bool
	cmd := &cobra.Command{
		Use:   "fmt [PATH]",
		Short: "Rewrite configuration files in the canonical format",
		Long: `fmt rewrites *.exo.hcl files in the canonical layout (hclwrite's).
PATH is a file or a directory (default: the working directory).
With --check nothing is written: the files that would change are listed and
the exit code is 3 when there are any.`,
		Args: cobra.MaximumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			path := "."
			if len(args) == 1 {
				path = args[0]
			}
			return a.runFmt(path, check, recursive)
		},
	}
	cmd.Flags().BoolVar(&check, "check", false, "list files that are not formatted and exit 3 if any; write nothing")
	cmd.Flags().BoolVar(&recursive, "recursive", false, "also format files in subdirectories")
	return cmd
}

func (a *app) runFmt(path string, check, recursive bool) error {
	files, err := fmtFiles(path, recursive)
	if err != nil {
		return err
	}
	var ds diag.Diagnostics
	changed := 0
	a.files = map[string]*hcl.File{}
	for _, f := range files {
		src, err := os.ReadFile(f)
		if err != nil {
			return err
		}
		// Checked before parsing: nesting deep enough overflows the parser's stack, fatally.
		if ld := schema.CheckLimits(src, f); ld.HasErrors() {
			a.files[f] = &hcl.File{Bytes: src}
			ds.Append(ld)
			continue
		}
		_, hd := hclwrite.ParseConfig(src, f, hcl.InitialPos)
		if hd.HasErrors() {
			a.files[f] = &hcl.File{Bytes: src}
			ds.Append(hd)
			continue
		}
		out := hclwrite.Format(src)
		if bytes.Equal(out, src) {
			continue
		}
		changed++
		fmt.Fprintln(a.io.Out, f)
		if !check {
			if err := os.WriteFile(f, out, 0o644); err != nil {
				return err
			}
		}
	}
	if ds.HasErrors() {
		return ds
	}
	if check && changed > 0 {
		return exitCodeError{exitFmt}
	}
	return nil
}

func fmtFiles(path string, recursive bool) ([]string, error) {
	st, err := os.Stat(path)
	if err != nil {
		return nil, fmt.Errorf("fmt: %w", err)
	}
	if !st.IsDir() {
		return []string{path}, nil
	}
	var out []string
	err = filepath.WalkDir(path, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() {
			if p != path && (!recursive || strings.HasPrefix(d.Name(), ".")) {
				return filepath.SkipDir
			}
			return nil
		}
		if strings.HasSuffix(d.Name(), schema.FileSuffix) {
			out = append(out, p)
		}
		return nil
	})
	return out, err
}
