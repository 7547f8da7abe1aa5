package bench

import "testing"

// reportContextSwitches reports the context switches of this process per
// op since start (a contextSwitches result, -1 where the system does not count them) as "ctxsw/op": a count that the
// machine's load hardly changes, unlike ns/op. A process playing ping-pong
// as glibc does switches once per round trip: it sleeps once.
func reportContextSwitches(b *testing.B, start int64) {
	if end := contextSwitches(); start >= 0 && end >= 0 {
		b.ReportMetric(float64(end-start)/float64(b.N), "ctxsw/op")
	}
}
