package cli

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/gofrs/flock"
)

// lockName is the file, under the configuration directory, that an apply holds a lock on:
// in .exoform/, which exoform init's .gitignore keeps out of the repository.
var lockName = filepath.Join(".exoform", "apply.lock")

// lockWorkspace takes the apply lock of the configuration directory dir, or says who holds
// it. Two applies of one workspace at once would each check the tenant, then write over each
// other's changes; the lock makes the second one stop before it reads anything. It is an
// advisory operating-system lock (flock, LockFileEx): the system releases it when the process
// ends, even when it is killed, so a held lock always means a running process, and there is
// never a stale lock to remove by hand. It guards one directory on one machine; runs on other
// machines (CI runners) need a concurrency group, as docs/security.md says.
func (a *app) lockWorkspace(dir, command string) (unlock func(), err error) {
	path := filepath.Join(dir, lockName)
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return nil, fmt.Errorf("locking the workspace: %w", err)
	}
	lk := flock.New(path, flock.SetFlag(os.O_CREATE|os.O_RDWR))
	ok, err := lk.TryLock()
	if err != nil {
		return nil, fmt.Errorf("locking the workspace (%s): %w", path, err)
	}
	if !ok {
		who := "another exoform process"
		// On Windows the holder's lock also keeps its details from being read.
		if b, rerr := os.ReadFile(path); rerr == nil && len(strings.TrimSpace(string(b))) > 0 {
			who = strings.TrimSpace(string(b))
		}
		return nil, fmt.Errorf("another apply is running in this directory (%s). Two applies of one workspace at once could undo each other's changes: wait for it to finish, then plan again. The lock (%s) is released when that process ends, even if it is killed", who, path)
	}
	// Who holds it, for the message above. Best effort: the lock itself is what excludes.
	host, _ := os.Hostname()
	info := fmt.Sprintf("exoform %s, process %d on %s, since %s", command, os.Getpid(), host, time.Now().UTC().Format(time.RFC3339))
	if f, ferr := os.OpenFile(path, os.O_WRONLY|os.O_TRUNC, 0o600); ferr == nil {
		_, _ = f.WriteString(info + "\n")
		_ = f.Close()
	}
	return func() { _ = lk.Unlock() }, nil
}
