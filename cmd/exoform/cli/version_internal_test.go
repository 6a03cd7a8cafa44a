package cli

import (
	"runtime/debug"
	"testing"
)

func TestBuildVersion(t *testing.T) {
	info := func(v string) func() (*debug.BuildInfo, bool) {
		return func() (*debug.BuildInfo, bool) { return &debug.BuildInfo{Main: debug.Module{Version: v}}, true }
	}
	none := func() (*debug.BuildInfo, bool) { return nil, false }
	tests := []struct {
		name, flag string
		read       func() (*debug.BuildInfo, bool)
		want       string
	}{
		{"go install @v1.2.3", devVersion, info("v1.2.3"), "v1.2.3"},
		{"-ldflags wins", "v2.0.0", info("v1.2.3"), "v2.0.0"},
		{"a local build without VCS", devVersion, info("(devel)"), devVersion},
		{"no build info", devVersion, none, devVersion},
	}
	for _, tt := range tests {
		if got := buildVersion(tt.flag, tt.read); got != tt.want {
			t.Errorf("%s: %q, want %q", tt.name, got, tt.want)
		}
	}
}
