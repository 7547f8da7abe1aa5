//go:build !linux

package ipcfs

import (
	"errors"
	"io/fs"
	"time"
)

// Message queues are Linux-only: every call fails with errors.ErrUnsupported.

type mqKey struct{ dev, ino uint64 }

type mqFileStat struct {
	key     mqKey
	perm    fs.FileMode
	modTime time.Time
	regular bool
	linked  bool
	sys     any // always nil: there is no host stat here
}

func mqSysOpen(string, int, fs.FileMode, *MqAttr) (int, MqAttr, error) {
	return -1, MqAttr{}, errors.ErrUnsupported
}
func mqSysUnlink(string) error                             { return errors.ErrUnsupported }
func mqSysSend(int, []byte, uint) error                    { return errors.ErrUnsupported }
func mqSysReceive(int, []byte) (int, uint, error)          { return 0, 0, errors.ErrUnsupported }
func mqSysGetAttr(int) (MqAttr, error)                     { return MqAttr{}, errors.ErrUnsupported }
func mqSysQsize(int) (int64, error)                        { return 0, errors.ErrUnsupported }
func mqSysFstat(int) (mqFileStat, error)                   { return mqFileStat{}, errors.ErrUnsupported }
func mqSysLstat(string) (mqFileStat, error)                { return mqFileStat{}, errors.ErrUnsupported }
func mqSysClose(int)                                       {}
func mqSysFchmod(int, fs.FileMode) error                   { return errors.ErrUnsupported }
func mqSysFchown(int, int, int) error                      { return errors.ErrUnsupported }
func mqSysFutimens(int, time.Time, time.Time) error        { return errors.ErrUnsupported }
func mqSysMountDev(string) (uint64, bool)                  { return 0, false }
func mqSysNotifySignal(int, int) error                     { return errors.ErrUnsupported }
func mqSysNotifyThread(int, int, *[mqCookieLen]byte) error { return errors.ErrUnsupported }
func mqSysNotifyCancel(int) error                          { return errors.ErrUnsupported }
func mqSysNetlinkSocket() (int, error)                     { return -1, errors.ErrUnsupported }
func mqSysRead(int, []byte) (int, error)                   { return 0, errors.ErrUnsupported }
func mqRlimit() (uint64, error)                            { return 0, errors.ErrUnsupported }
