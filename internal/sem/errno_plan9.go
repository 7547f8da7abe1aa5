package sem

import "errors"

// errOverflow is what Post returns at ValueMax; plan9 has no EOVERFLOW.
var errOverflow = errors.New("value too large for defined data type")
