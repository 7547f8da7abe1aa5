package main

import (
	"strconv"
)

// humanSize writes a byte count as lsipc and ls -h do, in powers of 1024:
// "0B", "100B", "4K", "1.5K", "2M", with one decimal only when it is not
// zero. -b/--bytes asks for exact bytes instead.
func humanSize(n int64) string {
	const units = "KMGTPE"
	if n < 1024 {
		return strconv.FormatInt(n, 10) + "B"
	}
	v := float64(n)
	u := -1
	for v >= 1024 && u < len(units)-1 {
		v /= 1024
		u++
	}
	s := strconv.FormatFloat(v, 'f', 1, 64)
	if s == "1024.0" && u < len(units)-1 { // 1023.95K and up round to 1M
		s, u = "1.0", u+1
	}
	if len(s) > 2 && s[len(s)-2:] == ".0" {
		s = s[:len(s)-2]
	}
	return s + units[u:u+1]
}
