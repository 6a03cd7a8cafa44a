//go:build darwin || dragonfly || freebsd || linux || netbsd || openbsd

package sim

import (
	"errors"
	"fmt"
	"os"
	"syscall"
)

// fileLock is an exclusive advisory lock on STATE.lock. flock locks belong to
// the open file description, so two Servers in one process (each with its own
// descriptor) exclude each other exactly as two processes do.
type fileLock struct{ f *os.File }

func lockFile(path string) (*fileLock, error) {
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o600)
	if err != nil {
		return nil, fmt.Errorf("opening sim lock file: %w", err)
	}
	for {
		err = syscall.Flock(int(f.Fd()), syscall.LOCK_EX)
		if !errors.Is(err, syscall.EINTR) {
			break
		}
	}
	if err != nil {
		f.Close()
		return nil, fmt.Errorf("locking %s: %w", path, err)
	}
	return &fileLock{f: f}, nil
}

func (l *fileLock) unlock() error {
	// Closing the descriptor releases the lock; an explicit LOCK_UN first makes
	// the release independent of any descriptor duplication.
	uerr := syscall.Flock(int(l.f.Fd()), syscall.LOCK_UN)
	cerr := l.f.Close()
	return errors.Join(uerr, cerr)
}
