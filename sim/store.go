package sim

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sync"
	"sync/atomic"
	"time"
)

// store owns the state file. Several processes may serve the same file (an
// `exoform sim invoke` next to a running `exoform plan --sim`), so every
// request runs its read-modify-write under an exclusive flock on STATE.lock
// and first reloads the file if another process replaced it.
//
// Writes commit in groups: a request that changed the state leaves the save
// to a request queued behind it, and the last request of a queue saves the
// state once for all of them (do). Each writer is answered only after a save
// that includes its change has completed, so an acknowledged write survives
// the process; the flock is held from the first unsaved change to that save,
// so another process never reads or overwrites a state missing it. Saves are
// compact JSON, renamed into place without fsync: a simulated tenant must
// survive its process dying, not the machine losing power.
type store struct {
	path     string
	lockPath string

	mu     sync.Mutex // serialises this process's requests; the flock serialises processes
	st     *state
	loaded os.FileInfo // the file st was read from or written to; nil forces a reload

	queued  atomic.Int32 // requests waiting for mu; while any is, a change leaves its save to them
	lk      *fileLock    // the flock while this process holds it (from a change until its save)
	pending *commit      // the save that changes made since the last one wait for; nil when none
	saved   *sync.Cond   // on mu, broadcast when a commit is done

	pages *pageCache // listings of multi-page answers (paging.go)
}

// commit is one group save; the writers whose changes it holds wait for done.
type commit struct {
	done bool
	err  error
}

// openStore loads statePath, seeding a new tenant when it does not exist.
// init runs under the same lock, for setup that must not race with another
// process starting on the same file (creating the CA).
func openStore(statePath, tenant string, init func() error) (*store, error) {
	s := &store{path: statePath, lockPath: statePath + ".lock", pages: newPageCache()}
	s.saved = sync.NewCond(&s.mu)
	if dir := filepath.Dir(statePath); dir != "" {
		if err := os.MkdirAll(dir, 0o700); err != nil {
			return nil, fmt.Errorf("creating sim state directory: %w", err)
		}
	}
	lk, err := lockFile(s.lockPath)
	if err != nil {
		return nil, err
	}
	defer lk.unlock()
	if _, err := os.Stat(statePath); errors.Is(err, fs.ErrNotExist) {
		st, err := seedState(tenant)
		if err != nil {
			return nil, err
		}
		if err := s.save(st); err != nil {
			return nil, err
		}
	} else if err != nil {
		return nil, fmt.Errorf("reading sim state: %w", err)
	}
	if err := s.refresh(); err != nil {
		return nil, err
	}
	if init != nil {
		if err := init(); err != nil {
			return nil, err
		}
	}
	return s, nil
}

// do runs fn on the current state under both locks. When fn reports a change
// the state is compacted and do returns once a save holding the change is
// done (group commit, see store). fn must not change the state when it
// returns an error; if it does anyway, the next request reloads from disk
// (unless other changes wait for their save), so a failed request never
// leaks into later ones.
func (s *store) do(now time.Time, fn func(st *state) (changed bool, err error)) error {
	s.queued.Add(1)
	s.mu.Lock()
	s.queued.Add(-1)
	defer s.mu.Unlock()
	if s.lk == nil {
		lk, err := lockFile(s.lockPath)
		if err != nil {
			return err
		}
		s.lk = lk
		if err := s.refresh(); err != nil {
			s.finish()
			return err
		}
	}
	changed, err := fn(s.st)
	if changed && !s.st.keepMailboxIndex {
		s.st.mailboxIndex = nil // the change may have touched any mailbox's identities
	}
	s.st.keepMailboxIndex = false
	if err != nil {
		if changed && s.pending == nil {
			s.loaded = nil
		}
		s.finish()
		return err
	}
	if !changed {
		s.finish()
		return nil
	}
	s.st.compact(now)
	if s.pending == nil {
		s.pending = &commit{}
	}
	c := s.pending
	s.finish()
	for !c.done {
		s.saved.Wait()
	}
	return c.err
}

// finish ends a request under mu: unless another request is queued to take
// over, it saves pending changes and releases the flock.
func (s *store) finish() {
	if s.pending != nil && s.queued.Load() > 0 {
		return // the queued request saves, with its own change if it makes one
	}
	if c := s.pending; c != nil {
		s.pending = nil
		if c.err = s.save(s.st); c.err != nil {
			s.loaded = nil // the unsaved changes are dropped: reload
		}
		c.done = true
		s.saved.Broadcast()
	}
	if s.lk != nil {
		s.lk.unlock()
		s.lk = nil
	}
}

// read runs fn on the current state without writing it back.
func (s *store) read(fn func(st *state) error) error {
	return s.do(time.Time{}, func(st *state) (bool, error) { return false, fn(st) })
}

// refresh reloads the file when it is not the one last loaded or saved. An
// atomic rename gives every write a new inode, so comparing the file identity
// as well as mtime and size catches a write even within one mtime tick.
func (s *store) refresh() error {
	fi, err := os.Stat(s.path)
	if err != nil {
		return fmt.Errorf("reading sim state: %w", err)
	}
	if s.st != nil && s.loaded != nil && os.SameFile(fi, s.loaded) &&
		fi.ModTime().Equal(s.loaded.ModTime()) && fi.Size() == s.loaded.Size() {
		return nil
	}
	data, err := os.ReadFile(s.path)
	if err != nil {
		return fmt.Errorf("reading sim state: %w", err)
	}
	st, err := decodeState(data)
	if err != nil {
		return fmt.Errorf("reading sim state %s: %w", s.path, err)
	}
	s.st, s.loaded = st, fi
	return nil
}

func decodeState(data []byte) (*state, error) {
	var st state
	if err := json.Unmarshal(data, &st); err != nil {
		return nil, err
	}
	if st.FormatVersion != stateFormat {
		return nil, fmt.Errorf("state format version %d is not supported (want %d); run a reset to recreate it", st.FormatVersion, stateFormat)
	}
	if _, ok := parseGUID(st.Tenant.ID); !ok || st.TokenSigningKey == "" || st.AdminApp.ClientID == "" {
		return nil, errors.New("state has no tenant id, admin app or signing key; run a reset to recreate it")
	}
	st.ensureMaps()
	return &st, nil
}

// save writes st atomically and remembers the file written, so this process
// does not reload its own write.
func (s *store) save(st *state) error {
	data, err := json.Marshal(st)
	if err != nil {
		return fmt.Errorf("encoding sim state: %w", err)
	}
	data = append(data, '\n')
	if err := writeFileAtomic(s.path, data, 0o600); err != nil {
		return fmt.Errorf("writing sim state: %w", err)
	}
	fi, err := os.Stat(s.path)
	if err != nil {
		return fmt.Errorf("writing sim state: %w", err)
	}
	s.st, s.loaded = st, fi
	return nil
}

// writeFileAtomic replaces path with data so that readers see either the old
// or the new content, never a torn file: write a temporary file in the same
// directory, then rename it over path. There is no fsync: the rename is
// atomic for every process of the machine, which is what the sim's files
// (state, CA, cloud files) must survive; a power loss may lose the latest
// write, which a simulator can afford and which made every write of a large
// tenant cost a flush of the whole file.
func writeFileAtomic(path string, data []byte, perm os.FileMode) error {
	f, err := os.CreateTemp(filepath.Dir(path), filepath.Base(path)+".tmp-*")
	if err != nil {
		return err
	}
	tmp := f.Name()
	defer os.Remove(tmp) // a no-op after a successful rename
	if _, err := f.Write(data); err != nil {
		f.Close()
		return err
	}
	if err := f.Chmod(perm); err != nil {
		f.Close()
		return err
	}
	if err := f.Close(); err != nil {
		return err
	}
	return os.Rename(tmp, path)
}
