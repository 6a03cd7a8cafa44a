//go:build !(darwin || dragonfly || freebsd || linux || netbsd || openbsd)

package sim

import (
	"fmt"
	"os"
	"sync"
)

// On platforms without flock (Windows) the lock only excludes Servers in this
// process; sharing one state file between processes is then unsupported, as
// doc.go says.
var processLock sync.Mutex

type fileLock struct{ f *os.File }

func lockFile(path string) (*fileLock, error) {
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o600)
	if err != nil {
		return nil, fmt.Errorf("opening sim lock file: %w", err)
	}
	processLock.Lock()
	return &fileLock{f: f}, nil
}

func (l *fileLock) unlock() error {
	processLock.Unlock()
	return l.f.Close()
}
