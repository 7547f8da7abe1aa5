package ipcfs

import "io/fs"

// A TempOption sets something CreateTemp gives the object it creates, as
// the arguments of the named opens do: WithPerm, WithShmSize, WithMqAttr,
// WithSemValue. An option for another kind than the one created is
// ignored, so one list of options can serve every directory.
type TempOption func(*TempOptions)

// TempOptions is what CreateTemp gives a new object. Namespace
// implementations collect a CreateTemp's options with NewTempOptions.
type TempOptions struct {
	// Perm holds the permission bits (the host applies the umask): 0600
	// unless set.
	Perm fs.FileMode
	// Size is a segment's size in bytes, as OpenShm's size: 0 unless set.
	Size int64
	// Attr is a queue's capacity and message size, as OpenMq's attr: nil
	// (the system's defaults) unless set.
	Attr *MqAttr
	// Value is a semaphore's value, as OpenSem's value: 0 unless set.
	Value uint32
}

// NewTempOptions returns the TempOptions that opts set, over the defaults:
// mode 0600, a zero-size segment, a queue of the system's default
// attributes, a semaphore of value 0. Nil options are skipped.
func NewTempOptions(opts ...TempOption) TempOptions {
	o := TempOptions{Perm: 0o600}
	for _, opt := range opts {
		if opt != nil {
			opt(&o)
		}
	}
	return o
}

// WithPerm gives the new object the permission bits perm (less the umask,
// on the host) instead of 0600.
func WithPerm(perm fs.FileMode) TempOption {
	return func(o *TempOptions) { o.Perm = perm }
}

// WithShmSize makes a new segment size bytes long (OpenShm's size).
func WithShmSize(size int64) TempOption {
	return func(o *TempOptions) { o.Size = size }
}

// WithMqAttr gives a new queue the capacity and message size of attr
// (OpenMq's attr; a zero field, or nil, means the system's default). attr
// is copied.
func WithMqAttr(attr *MqAttr) TempOption {
	var a *MqAttr
	if attr != nil {
		c := *attr
		a = &c
	}
	return func(o *TempOptions) { o.Attr = a }
}

// WithSemValue gives a new semaphore the value value (OpenSem's value).
func WithSemValue(value uint32) TempOption {
	return func(o *TempOptions) { o.Value = value }
}
