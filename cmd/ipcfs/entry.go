package main

// This file holds entry, the description of one object that ls and stat
// print, as text and as JSON (the schema is documented in doc.go).

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"io/fs"
	"os/user"
	"strconv"
	"time"

	"github.com/ipcfs/ipcfs"
	"github.com/ipcfs/ipcfs/internal/kind"
)

// entry is one object as ls --json and stat --json print it. Field order
// and names are the stable JSON schema; see the package documentation.
type entry struct {
	Kind       string `json:"kind"`
	Name       string `json:"name"`
	NameBase64 string `json:"name_base64,omitempty"`
	Path       string `json:"path"`
	Size       int64  `json:"size"`
	Mode       string `json:"mode"`
	UID        *int64 `json:"uid,omitempty"`
	GID        *int64 `json:"gid,omitempty"`
	Owner      string `json:"owner,omitempty"`
	Mtime      string `json:"mtime,omitempty"`

	// Message queues, when the attributes could be read.
	Messages    *int64 `json:"messages,omitempty"`
	MaxMessages *int64 `json:"max_messages,omitempty"`
	MessageSize *int64 `json:"message_size,omitempty"`

	// Semaphores.
	Value *int `json:"value,omitempty"`

	obj object // the object, with its exact name
}

// owners caches user-name lookups for one command.
type owners map[int64]string

// name returns the user name of uid, or the number when it has none.
func (o owners) name(uid int64) string {
	if n, ok := o[uid]; ok {
		return n
	}
	n := strconv.FormatInt(uid, 10)
	if u, err := user.LookupId(n); err == nil {
		n = u.Username
	}
	o[uid] = n
	return n
}

// newEntry describes the object name of kind k whose FileInfo is fi. JSON
// keeps the exact name; a name that is not UTF-8 (which JSON strings cannot
// hold) goes in name_base64, with name and path in the quoted form the
// commands take.
func newEntry(k *kind.Kind, name string, fi fs.FileInfo, own owners) entry {
	e := entry{
		Kind: k.Dir,
		Name: name,
		Path: k.Dir + "/" + name,
		obj:  object{kind: k, name: name},
		Size: fi.Size(),
		Mode: fmt.Sprintf("%04o", uint32(fi.Mode().Perm())),
	}
	if !e.obj.reachable() {
		e.Name = displayName(name)
		e.NameBase64 = base64.StdEncoding.EncodeToString([]byte(name))
		e.Path = e.obj.String()
	}
	if t := fi.ModTime(); !t.IsZero() {
		e.Mtime = t.UTC().Format(time.RFC3339)
	}
	raw := fi.Sys()
	switch s := raw.(type) {
	case *ipcfs.MqInfo:
		if s != nil {
			raw = *s
		}
	case *ipcfs.SemInfo:
		if s != nil {
			raw = *s
		}
	}
	// size is a segment's length, a queue's bytes queued and a
	// semaphore's value (the schema's meaning): a queue's or a semaphore's
	// FileInfo.Size is the length of its status text, the facts are in Sys.
	switch s := raw.(type) {
	case ipcfs.MqInfo:
		raw = s.Stat
		e.Size = max(s.Bytes, 0)
		if s.Attr.MaxMessages > 0 {
			cur, max, size := s.Attr.CurMessages, s.Attr.MaxMessages, s.Attr.MessageSize
			e.Messages, e.MaxMessages, e.MessageSize = &cur, &max, &size
		}
	case ipcfs.SemInfo:
		raw = s.Stat
		v := s.Value
		e.Value = &v
		e.Size = int64(v)
	}
	if uid, gid, ok := ownerOf(raw); ok {
		e.UID, e.GID = &uid, &gid
		e.Owner = own.name(uid)
	}
	return e
}

// contents is the human form of what an object holds: its size (in exact
// bytes when exact), its queued messages or its value.
func (e *entry) contents(exact bool) string { return cli(e.obj.kind).contents(e, exact) }

// ownerText is the human form of the owner: "root" or "-".
func (e *entry) ownerText() string {
	if e.Owner == "" {
		return "-"
	}
	return displayText(e.Owner)
}

// humanTimeLayout is how human output writes times: to the second, with
// the zone's offset, so that times from hosts in other zones compare.
const humanTimeLayout = "2006-01-02 15:04:05 -0700"

// localTime is the human form of the modification time in loc, or "-".
func (e *entry) localTime(loc *time.Location) string {
	t, err := time.Parse(time.RFC3339, e.Mtime)
	if err != nil {
		return "-"
	}
	return t.In(loc).Format(humanTimeLayout)
}

// writeJSON writes v as one line of JSON, without HTML escaping.
func writeJSON(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	return enc.Encode(v)
}
