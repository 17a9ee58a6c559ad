"""One module per controller. Each exposes `sync(ctx)`: read the pass snapshot, compute the
desired state with pure functions, write only what changed. No controller imports another;
shared helpers live in _common."""
