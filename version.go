package ipcfs

import (
	"reflect"
	"runtime/debug"
	"strings"
)

// Version returns the version of the ipcfs module built into the running
// program, for --version output and bug reports, from the build
// information Go records (runtime/debug.ReadBuildInfo):
//
//   - a release or pseudo-version ("v1.2.0", "v0.0.0-20260102150405-1a2b3c4d5e6f")
//     when ipcfs is a dependency, or the main module built from a
//     version-control checkout that Go stamped;
//   - "(devel)" for the main module built from a source tree, followed by
//     the commit, its time and ", modified" when Go recorded them
//     ("(devel) 1a2b3c4d5e6f 2026-01-02T15:04:05Z, modified");
//   - "unknown" when the program carries no build information.
func Version() string {
	bi, ok := debug.ReadBuildInfo()
	return versionFrom(bi, ok)
}

// modulePath is this module's path, "github.com/ipcfs/ipcfs": the import
// path of the root package.
var modulePath = reflect.TypeFor[FS]().PkgPath()

// versionFrom returns Version for the build information bi (ok false: none).
func versionFrom(bi *debug.BuildInfo, ok bool) string {
	if !ok || bi == nil {
		return "unknown"
	}
	mod := &bi.Main
	if mod.Path != modulePath {
		mod = nil
		for _, d := range bi.Deps {
			if d.Path == modulePath {
				mod = d
				break
			}
		}
		if mod == nil {
			return "unknown"
		}
		if mod.Replace != nil {
			mod = mod.Replace // a directory replacement has no version: (devel)
		}
	}
	v := mod.Version
	if v == "" || v == "(devel)" {
		v = "(devel)"
		if mod == &bi.Main {
			v += vcsSuffix(bi.Settings)
		}
	}
	return v
}

// vcsSuffix returns " COMMIT TIME, modified" from the vcs.* build settings,
// or "" when there are none.
func vcsSuffix(settings []debug.BuildSetting) string {
	var rev, when string
	modified := false
	for _, s := range settings {
		switch s.Key {
		case "vcs.revision":
			rev = s.Value
		case "vcs.time":
			when = s.Value
		case "vcs.modified":
			modified = s.Value == "true"
		}
	}
	if len(rev) > 12 {
		rev = rev[:12]
	}
	var parts []string
	for _, p := range []string{rev, when} {
		if p != "" {
			parts = append(parts, p)
		}
	}
	s := strings.Join(parts, " ")
	if modified {
		s += ", modified"
	}
	if s == "" {
		return ""
	}
	return " " + strings.TrimPrefix(s, ", ")
}
