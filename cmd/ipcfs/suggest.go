package main

// This file finds the word a user probably meant: "lss" is "ls", "--jsn" is
// "--json".

import "strings"

// suggest returns the candidate closest to word, or "" when none is close:
// one that word is a prefix of (at least two letters), or one within an
// edit distance of 1 for short words and 2 for longer ones (a missing, extra
// or wrong letter, or two letters swapped, counts as one edit).
func suggest(word string, candidates []string) string {
	best, bestDist := "", 0
	limit := 1
	if len(word) > 4 {
		limit = 2
	}
	for _, c := range candidates {
		d := editDistance(strings.ToLower(word), c)
		if len(word) >= 2 && strings.HasPrefix(c, word) {
			d = min(d, 1)
		}
		if d <= limit && (best == "" || d < bestDist) {
			best, bestDist = c, d
		}
	}
	return best
}

// editDistance is the optimal string alignment distance between a and b:
// insertions, deletions, substitutions and transpositions of adjacent bytes.
func editDistance(a, b string) int {
	prev2 := make([]int, len(b)+1)
	prev := make([]int, len(b)+1)
	cur := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
			if i > 1 && j > 1 && a[i-1] == b[j-2] && a[i-2] == b[j-1] {
				cur[j] = min(cur[j], prev2[j-2]+1)
			}
		}
		prev2, prev, cur = prev, cur, prev2
	}
	return prev[len(b)]
}
