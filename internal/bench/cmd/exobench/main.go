// Command exobench runs exoform's scale benchmark (issue 7) and prints its table; scripts/bench
// builds and calls it. It seeds a generated tenant (cached under --dir), serves it with the sim
// in this process, and runs a built exoform binary against it as a subprocess.
//
//	exobench run --exoform BIN [--scale issue|small] [--dir DIR] [--steps plan,export,…] [--out FILE]
//	exobench config --state FILE --out DIR [--spec plan|apply] [--scale issue|small]
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"runtime/pprof"
	"slices"
	"sort"
	"strings"

	"github.com/exoform/exoform/internal/bench"
	"github.com/exoform/exoform/sim"
)

func main() {
	if err := run(os.Args[1:], os.Stdout, os.Stderr); err != nil {
		fmt.Fprintln(os.Stderr, "exobench:", err)
		os.Exit(1)
	}
}

func run(args []string, stdout, stderr io.Writer) error {
	if len(args) == 0 {
		return errors.New("want a command: run or config")
	}
	switch args[0] {
	case "run":
		return runBench(args[1:], stdout, stderr)
	case "config":
		return writeConfig(args[1:], stderr)
	}
	return fmt.Errorf("unknown command %q: want run or config", args[0])
}

func scaleFlag(fs *flag.FlagSet) *string {
	var names []string
	for n := range bench.Scales {
		names = append(names, n)
	}
	sort.Strings(names)
	return fs.String("scale", "issue", "the scenario: "+strings.Join(names, ", "))
}

func lookupScale(name string) (bench.Scale, error) {
	s, ok := bench.Scales[name]
	if !ok {
		return s, fmt.Errorf("unknown scale %q", name)
	}
	return s, nil
}

func runBench(args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("run", flag.ContinueOnError)
	fs.SetOutput(stderr)
	scale := scaleFlag(fs)
	dir := fs.String("dir", ".bench", "the directory for cached tenants and run files")
	bin := fs.String("exoform", "", "the built exoform binary (required)")
	steps := fs.String("steps", strings.Join(bench.AllSteps, ","), "the measurements to make, comma-separated")
	out := fs.String("out", "", "also write the table to this file")
	profile := fs.String("profile", "realistic", "the sim's latency-and-limits profile for the realistic runs (see exoform sim serve --help)")
	cpuProfile := fs.String("cpuprofile", "", "write a CPU profile of this process (the sim, the baseline's clients) to FILE")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *cpuProfile != "" {
		f, err := os.Create(*cpuProfile)
		if err != nil {
			return err
		}
		defer f.Close()
		if err := pprof.StartCPUProfile(f); err != nil {
			return err
		}
		defer pprof.StopCPUProfile()
	}
	if *bin == "" {
		return errors.New("run: --exoform BIN is required")
	}
	s, err := lookupScale(*scale)
	if err != nil {
		return err
	}
	var list []string
	for _, st := range strings.Split(*steps, ",") {
		if st = strings.TrimSpace(st); st == "" {
			continue
		}
		if !slices.Contains(bench.AllSteps, st) {
			return fmt.Errorf("unknown step %q: want some of %s", st, strings.Join(bench.AllSteps, ", "))
		}
		list = append(list, st)
	}
	p, err := sim.ParseProfile(*profile)
	if err != nil {
		return err
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	r := &bench.Runner{Dir: *dir, Binary: *bin, Profile: p, Log: stderr}
	rep, err := r.Run(ctx, s, list)
	if rep != nil {
		rep.Write(stdout)
		if *out != "" {
			f, ferr := os.Create(*out)
			if ferr != nil {
				return ferr
			}
			rep.Write(f)
			if ferr := f.Close(); ferr != nil {
				return ferr
			}
		}
	}
	return err
}

func writeConfig(args []string, stderr io.Writer) error {
	fs := flag.NewFlagSet("config", flag.ContinueOnError)
	fs.SetOutput(stderr)
	scale := scaleFlag(fs)
	state := fs.String("state", "", "the sim state file of the tenant (required)")
	out := fs.String("out", "", "the directory to write the configuration into (required)")
	spec := fs.String("spec", "plan", "which configuration of the scale: plan or apply")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *state == "" || *out == "" {
		return errors.New("config: --state FILE and --out DIR are required")
	}
	s, err := lookupScale(*scale)
	if err != nil {
		return err
	}
	sp := s.Plan
	switch *spec {
	case "plan":
	case "apply":
		sp = s.Apply
	default:
		return fmt.Errorf("config: --spec %q: want plan or apply", *spec)
	}
	t, err := bench.ReadTenant(*state)
	if err != nil {
		return err
	}
	return bench.WriteConfig(*out, t, sp)
}
