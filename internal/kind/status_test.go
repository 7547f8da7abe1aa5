package kind

import "testing"

func TestStatusTexts(t *testing.T) {
	for _, c := range []struct{ got, want string }{
		{MqStatus(10, 8192, 2, 14), "max_messages 10\nmessage_size 8192\ncurrent_messages 2\nbytes 14\n"},
		{MqStatus(0, 0, 0, 14), "bytes 14\n"},                                             // attributes unknown
		{MqStatus(3, 32, 1, -1), "max_messages 3\nmessage_size 32\ncurrent_messages 1\n"}, // bytes unknown
		{SemStatus(3, 1), "value 3\nwaiters 1\n"},
	} {
		if c.got != c.want {
			t.Errorf("status text %q; want %q", c.got, c.want)
		}
	}
}
