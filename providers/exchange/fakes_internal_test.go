package exchange

import (
	"context"

	"github.com/exoform/exoform/providers"
)

// The fakes answer cmdlets one at a time (Invoke); these give them the rest of the invoker
// interface the way the Client behaves: InvokePages hands the whole answer over as one page,
// InvokeBatch runs the items one by one and returns each item's error as its outcome.

type invokeFunc func(ctx context.Context, cmdlet string, params providers.Params) (*Result, error)

func pagesVia(ctx context.Context, invoke invokeFunc, cmdlet string, params providers.Params, fn func(*Page) error) error {
	res, err := invoke(ctx, cmdlet, params)
	if err != nil {
		return err
	}
	if err := fn(&Page{Objects: res.Objects, Warnings: res.Warnings, Errors: res.Errors}); err != nil && err != ErrStopPaging {
		return err
	}
	return nil
}

func batchVia(ctx context.Context, invoke invokeFunc, items []BatchItem) ([]BatchResult, error) {
	out := make([]BatchResult, len(items))
	for i, it := range items {
		res, err := invoke(ctx, it.Cmdlet, it.Params)
		out[i] = BatchResult{Result: res, Err: err}
	}
	return out, nil
}

func (f *rcpFakeInvoker) InvokePages(ctx context.Context, cmdlet string, ps providers.Params, fn func(*Page) error) error {
	return pagesVia(ctx, f.Invoke, cmdlet, ps, fn)
}

func (f *rcpFakeInvoker) InvokeBatch(ctx context.Context, items []BatchItem) ([]BatchResult, error) {
	f.batches.Add(1)
	return batchVia(ctx, f.Invoke, items)
}

func (f *ruleFake) InvokePages(ctx context.Context, cmdlet string, ps providers.Params, fn func(*Page) error) error {
	return pagesVia(ctx, f.Invoke, cmdlet, ps, fn)
}

func (f *ruleFake) InvokeBatch(ctx context.Context, items []BatchItem) ([]BatchResult, error) {
	return batchVia(ctx, f.Invoke, items)
}
