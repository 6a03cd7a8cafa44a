package providers

import (
	"context"
	"sync"
)

// A ReadScope lets the reads of one plan share what several types need (Entra's applications,
// service principals and grants are read by four types and an audit): the first read of a key
// runs, and the others wait for its answer. A scope lives as long as one plan; reads outside a
// scope are never shared, so a staleness check or a later plan reads the tenant afresh.
type ReadScope struct {
	mu    sync.Mutex
	calls map[string]*sharedRead
}

type sharedRead struct {
	once sync.Once
	val  any
	err  error
}

// NewReadScope returns an empty scope.
func NewReadScope() *ReadScope { return &ReadScope{calls: map[string]*sharedRead{}} }

type readScopeKey struct{}

// WithReadScope marks ctx so that SharedRead under it shares reads within s.
func WithReadScope(ctx context.Context, s *ReadScope) context.Context {
	return context.WithValue(ctx, readScopeKey{}, s)
}

// SharedRead returns the result of read for key, running it once per read scope of ctx (with
// the context of the first caller); without a scope it just runs read. A failed read is shared
// too: it fails every type that needed it, as a plan must. The result is shared, not copied:
// callers must not modify it.
func SharedRead[T any](ctx context.Context, key string, read func(context.Context) (T, error)) (T, error) {
	s, _ := ctx.Value(readScopeKey{}).(*ReadScope)
	if s == nil {
		return read(ctx)
	}
	s.mu.Lock()
	r, ok := s.calls[key]
	if !ok {
		r = &sharedRead{}
		s.calls[key] = r
	}
	s.mu.Unlock()
	r.once.Do(func() { r.val, r.err = read(ctx) })
	v, _ := r.val.(T)
	return v, r.err
}
