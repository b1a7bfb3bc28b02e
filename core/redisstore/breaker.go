package redisstore

import (
	"context"
	"errors"
	"io"
	"net"
	"os"
	"syscall"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/transient-go/transient/core/internal/breaker"
)

// A breakerHook is the go-redis hook that puts a circuit breaker (see
// core/internal/breaker) and the store's retry policy in front of
// NewFromURL's client.
//
// The breaker opens when calls fail to connect (a dial error: refused,
// unreachable, no such host, or no answer to the connection attempt within
// the connect budget), and when Redis took calls and did not answer them
// within the answer budget (a deadline on the connection: a stopped or hung
// Redis, whose kernel still accepts connections). A call that waited for a
// pooled connection, or whose own deadline ended while it did, is neither:
// a burst on a healthy Redis must not open it. While it is open, calls fail
// at once, without dialing, and without go-redis logging a failed dial for
// each of them.
//
// The probe of a half-open breaker first opens a connection of its own and
// closes it, with the client's dialer, so that while Redis refuses
// connections go-redis neither dials nor logs; then it makes its call. The
// probe as a whole has the answer budget: a Redis that is still hung costs
// the request that probes it no more than it costs any other.
//
// go-redis retries no command (MaxRetries -1): a retry after a timeout
// would double the time a hung Redis costs a request. The hook sends a
// call again, once, when its connection was dropped (a Redis that
// restarted, a proxy that closed an idle connection), which costs little;
// the scripts recognize their own work when they run twice.
type breakerHook struct {
	b      *breaker.Breaker
	opt    *redis.Options // the client's: its dialer, address and answer budget
	budget time.Duration  // of a probe, as a whole; 0 for none
}

var _ redis.Hook = breakerHook{}

func newBreaker(opt *redis.Options, server string) breakerHook {
	return breakerHook{
		b: &breaker.Breaker{
			Server:        server,
			Prefix:        "redisstore",
			Answered:      answered,
			ConnectFailed: connectFailed,
			Unanswered:    unanswered,
		},
		opt:    opt,
		budget: max(opt.ReadTimeout, opt.WriteTimeout, 0), // -1 is none
	}
}

// answered reports whether err, a call's result, shows that Redis
// answered: no error, a nil reply or an error reply.
func answered(err error) bool {
	var reply redis.Error
	return err == nil || errors.As(err, &reply)
}

// connectFailed reports whether err shows that no connection to Redis
// could be made. go-redis returns the dialer's error (a *net.OpError of
// Op "dial") both for a dial it tried and, once dials have failed as many
// times as the pool has connections, for the dials it then skips.
func connectFailed(err error) bool {
	var op *net.OpError
	return errors.As(err, &op) && op.Op == "dial"
}

// unanswered reports whether err shows that Redis did not answer in time:
// the deadline of the connection passed, in the handshake of a new
// connection or while the call waited for its answer. (go-redis gives the
// connection the answer budget, or what is left of the call's, whichever
// is sooner; a call whose own deadline passed while it waited for a
// pooled connection ends with context.DeadlineExceeded or
// redis.ErrPoolTimeout instead.)
func unanswered(err error) bool {
	return errors.Is(err, os.ErrDeadlineExceeded) && !connectFailed(err)
}

// dropped reports whether err shows that the connection was closed under
// the call.
func dropped(err error) bool {
	return errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) ||
		errors.Is(err, syscall.ECONNRESET) || errors.Is(err, syscall.EPIPE)
}

// handshake reports whether cmd is one that go-redis sends on a new
// connection before the call that needed it (HELLO, AUTH, SELECT, CLIENT
// SETNAME and the like): the breaker neither stops nor counts those.
func handshake(cmd redis.Cmder) bool {
	switch cmd.Name() {
	case "hello", "auth", "select", "client", "readonly":
		return true
	}
	return false
}

// reach opens a connection to Redis with the client's dialer, and closes
// it: the first step of a probe.
func (h breakerHook) reach(ctx context.Context) error {
	conn, err := h.opt.Dialer(ctx, h.opt.Network, h.opt.Addr)
	if err != nil {
		return err
	}
	return conn.Close()
}

// begin lets a call, a command or a pipeline, through the breaker, or
// returns the error it fails with. A probe gets the context it runs with,
// with its budget, and first reaches Redis. end must be called with what
// begin returned and the call's result, unless begin failed.
func (h breakerHook) begin(ctx context.Context) (probe bool, pctx context.Context, cancel context.CancelFunc, err error) {
	if probe, err = h.b.Allow(); err != nil || !probe {
		return probe, ctx, nil, err
	}
	pctx, cancel = ctx, func() {}
	if h.budget > 0 { // else the URL turned the answer budget off
		pctx, cancel = context.WithTimeout(ctx, h.budget)
	}
	if err := h.reach(pctx); err != nil {
		h.end(h.tight(ctx), probe, cancel, err)
		return false, ctx, nil, err
	}
	return probe, pctx, cancel, nil
}

// end reports to the breaker how a call that begin let through ended:
// tight is what tight said of the context the call came with.
func (h breakerHook) end(tight, probe bool, cancel context.CancelFunc, err error) {
	if cancel != nil {
		cancel()
	}
	if tight && timedOut(err) {
		err = context.DeadlineExceeded // the caller's, not Redis's
	}
	h.b.Done(probe, err)
}

// tight reports whether ctx, which a call comes with, gives Redis less
// than half the answer budget: a deadline that then passes is the
// caller's, and says nothing of Redis. (A request with a tight deadline
// of its own must not open the breaker on a healthy Redis; a store whose
// call budget is its answer budget, as NewFromURL's with a short
// Options.Timeout, still opens it when Redis hangs.)
func (h breakerHook) tight(ctx context.Context) bool {
	d, ok := ctx.Deadline()
	return ok && time.Until(d) < h.budget/2
}

// again reports whether a call that ended with err is sent again.
func again(ctx context.Context, err error) bool {
	return dropped(err) && ctx.Err() == nil
}

func (h breakerHook) DialHook(next redis.DialHook) redis.DialHook { return next }

func (h breakerHook) ProcessHook(next redis.ProcessHook) redis.ProcessHook {
	return func(ctx context.Context, cmd redis.Cmder) error {
		if handshake(cmd) {
			return next(ctx, cmd)
		}
		tight := h.tight(ctx)
		probe, pctx, cancel, err := h.begin(ctx)
		if err != nil {
			cmd.SetErr(err)
			return err
		}
		if err = next(pctx, cmd); again(pctx, err) {
			err = next(pctx, cmd)
		}
		h.end(tight, probe, cancel, err)
		return err
	}
}

func (h breakerHook) ProcessPipelineHook(next redis.ProcessPipelineHook) redis.ProcessPipelineHook {
	return func(ctx context.Context, cmds []redis.Cmder) error {
		if len(cmds) > 0 && handshake(cmds[0]) {
			return next(ctx, cmds)
		}
		tight := h.tight(ctx)
		probe, pctx, cancel, err := h.begin(ctx)
		if err != nil {
			for _, cmd := range cmds {
				cmd.SetErr(err)
			}
			return err
		}
		if err = next(pctx, cmds); again(pctx, err) {
			err = next(pctx, cmds)
		}
		h.end(tight, probe, cancel, err)
		return err
	}
}
