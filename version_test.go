package ipcfs

import (
	"runtime/debug"
	"strings"
	"testing"
)

func TestVersionFromBuildInfo(t *testing.T) {
	vcs := []debug.BuildSetting{
		{Key: "vcs.revision", Value: "1a2b3c4d5e6f7a8b9c0d"},
		{Key: "vcs.time", Value: "2026-01-02T15:04:05Z"},
		{Key: "vcs.modified", Value: "true"},
	}
	other := debug.Module{Path: "example.com/app", Version: "v2.0.0"}
	tests := []struct {
		name string
		bi   *debug.BuildInfo
		want string
	}{
		{"checkout with vcs", &debug.BuildInfo{Main: debug.Module{Path: modulePath, Version: "(devel)"}, Settings: vcs}, "(devel) 1a2b3c4d5e6f 2026-01-02T15:04:05Z, modified"},
		{"checkout, only modified", &debug.BuildInfo{Main: debug.Module{Path: modulePath, Version: "(devel)"}, Settings: vcs[2:]}, "(devel) modified"},
		{"checkout without vcs", &debug.BuildInfo{Main: debug.Module{Path: modulePath, Version: "(devel)"}}, "(devel)"},
		{"main module, empty version", &debug.BuildInfo{Main: debug.Module{Path: modulePath}}, "(devel)"},
		{"stamped main module", &debug.BuildInfo{Main: debug.Module{Path: modulePath, Version: "v0.0.0-20260102150405-1a2b3c4d5e6f+dirty"}, Settings: vcs}, "v0.0.0-20260102150405-1a2b3c4d5e6f+dirty"},
		{"dependency", &debug.BuildInfo{Main: other, Deps: []*debug.Module{{Path: "golang.org/x/sys", Version: "v0.1.0"}, {Path: modulePath, Version: "v1.2.0"}}, Settings: vcs}, "v1.2.0"},
		{"replaced by a version", &debug.BuildInfo{Main: other, Deps: []*debug.Module{{Path: modulePath, Version: "v1.2.0", Replace: &debug.Module{Path: "example.com/fork", Version: "v1.2.1"}}}}, "v1.2.1"},
		{"replaced by a directory", &debug.BuildInfo{Main: other, Deps: []*debug.Module{{Path: modulePath, Version: "v1.2.0", Replace: &debug.Module{Path: "../ipcfs"}}}, Settings: vcs}, "(devel)"},
		{"not in the build", &debug.BuildInfo{Main: other}, "unknown"},
	}
	for _, tt := range tests {
		if got := versionFrom(tt.bi, true); got != tt.want {
			t.Errorf("%s: versionFrom = %q, want %q", tt.name, got, tt.want)
		}
	}
	if got := versionFrom(nil, false); got != "unknown" {
		t.Errorf("no build info: %q, want unknown", got)
	}
}

// TestVersionOfThisBuild: the test binary is built from this source tree,
// so Version reads its build information and says "(devel)".
func TestVersionOfThisBuild(t *testing.T) {
	if modulePath != "github.com/ipcfs/ipcfs" {
		t.Errorf("modulePath = %q", modulePath)
	}
	bi, ok := debug.ReadBuildInfo()
	if !ok {
		t.Skip("no build information in this test binary")
	}
	got := Version()
	if got != versionFrom(bi, ok) || !strings.HasPrefix(got, "(devel)") {
		t.Errorf("Version() = %q; want the (devel) version of %+v", got, bi.Main)
	}
}
