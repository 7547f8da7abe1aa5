package main

// This file keeps what the tool prints for people from carrying terminal
// control: names and texts that come from the host (a name planted in
// /dev/shm, a message from another process) are printed with every byte
// that is not printable UTF-8 escaped as in Go source ("\x1b", "\n",
// "\u202e", "\xff"). JSON output keeps exact bytes instead.

import (
	"strconv"
	"strings"
	"unicode/utf8"
)

// globMeta are the characters that make an rm argument a pattern
// (path.Match's, the backslash included).
const globMeta = `*?[\`

// displayName returns an object name as the tool prints it and takes it
// back: the name itself, or, when it holds anything that is not printable
// UTF-8, a pattern character (globMeta) or starts with a double quote, the
// name as a Go string literal (strconv.Quote: "\x1b[31mred", "job-\xff").
// Commands take the quoted form literally (parseObject), so every name ls
// prints can be given back to stat or rm.
func displayName(name string) string {
	if needsQuoting(name) {
		return strconv.Quote(name)
	}
	return name
}

func needsQuoting(name string) bool {
	if strings.HasPrefix(name, `"`) || strings.ContainsAny(name, globMeta) {
		return true
	}
	for _, r := range name {
		if r == utf8.RuneError || !strconv.IsPrint(r) {
			return true // RuneError: an invalid byte, or U+FFFD itself (quoted either way)
		}
	}
	return false
}

// displayText returns s with every byte that is not printable UTF-8
// escaped, for free text such as error messages and owner names; other
// characters, backslashes included, stay as they are.
func displayText(s string) string {
	if isPrintable(s) {
		return s
	}
	return string(appendEscaped(nil, s, false))
}

// escapeMessage returns a message as recv prints it in text mode: on one
// line, with backslashes doubled and every byte that is not printable UTF-8
// escaped, so "a\nb" (two lines) and `a\nb` (one) stay apart and the
// escapes can be undone (strconv.Unquote of the line in double quotes,
// with its double quotes escaped).
func escapeMessage(msg []byte) []byte {
	return appendEscaped(make([]byte, 0, len(msg)), string(msg), true)
}

func isPrintable(s string) bool {
	for i, r := range s {
		if r == utf8.RuneError {
			if _, size := utf8.DecodeRuneInString(s[i:]); size == 1 {
				return false
			}
		}
		if !strconv.IsPrint(r) {
			return false
		}
	}
	return true
}

// appendEscaped appends s to b with every invalid byte written \xNN and
// every rune that is not printable written as strconv.QuoteRune writes it
// (\n, \t, \x1b, \u2028); with doubleBackslash a backslash is written \\.
func appendEscaped(b []byte, s string, doubleBackslash bool) []byte {
	const hex = "0123456789abcdef"
	for len(s) > 0 {
		r, size := utf8.DecodeRuneInString(s)
		switch {
		case r == utf8.RuneError && size == 1:
			b = append(b, '\\', 'x', hex[s[0]>>4], hex[s[0]&0xf])
		case r == '\\' && doubleBackslash:
			b = append(b, '\\', '\\')
		case strconv.IsPrint(r):
			b = append(b, s[:size]...)
		default:
			q := strconv.QuoteRune(r)
			b = append(b, q[1:len(q)-1]...)
		}
		s = s[size:]
	}
	return b
}
