package postgres

import (
	"context"
	"encoding/json"
	"fmt"
	"net"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgxlisten"

	"github.com/augment-ml/augment/internal/domain"
)

// changesChannel is where the schema's triggers announce changed jobs
// (migrations/0006_notify.sql).
const changesChannel = "job_changed"

// Listen passes the store's news of changed jobs to sink until ctx ends.
// It holds one connection of its own; when that connection drops it
// reconnects after retry and tells sink to Resync, since news sent meanwhile
// is lost. Errors go to logErr; Listen returns only when ctx ends.
//
// NOTE: news of a job's end comes from PostgreSQL's LISTEN/NOTIFY rather
// than Redis pub/sub because PostgreSQL holds the state the news is about:
// the triggers announce every change whoever makes it (the worker, the
// sweeper, a retry, a future writer), without the worker having to publish,
// and the notification is delivered when the change commits, so a reader it
// wakes always sees the change. The cost, a notification per variant and
// per status change, is small beside the rows written with it.
func (db *DB) Listen(ctx context.Context, sink domain.ChangeSink, retry time.Duration, logErr func(error)) error {
	cfg := db.pool.Config().ConnConfig.Copy()
	// NOTE: the connection only ever waits, so a network cut that sends no
	// word would go unnoticed for hours; TCP keepalives notice it in ~30 s.
	dialer := &net.Dialer{Timeout: 10 * time.Second,
		KeepAliveConfig: net.KeepAliveConfig{Enable: true, Idle: 15 * time.Second, Interval: 5 * time.Second, Count: 3}}
	cfg.DialFunc = dialer.DialContext
	l := &pgxlisten.Listener{
		Connect: func(ctx context.Context) (*pgx.Conn, error) { return pgx.ConnectConfig(ctx, cfg.Copy()) },
		LogError: func(ctx context.Context, err error) {
			if ctx.Err() == nil { // else Listen is just stopping
				logErr(fmt.Errorf("postgres: listen: %w", err))
			}
		},
		ReconnectDelay: retry,
	}
	l.Handle(changesChannel, changes{sink})
	return l.Listen(ctx)
}

// changes turns notifications into domain changes.
type changes struct{ sink domain.ChangeSink }

type changePayload struct {
	Job   string  `json:"job"`
	Batch *string `json:"batch"`
	Ended bool    `json:"ended"` // since migrations/0011_notify_ended.sql
}

// HandleNotification implements pgxlisten.Handler.
func (c changes) HandleNotification(_ context.Context, n *pgconn.Notification, _ *pgx.Conn) error {
	var p changePayload
	if err := json.Unmarshal([]byte(n.Payload), &p); err != nil {
		return fmt.Errorf("payload %q: %w", n.Payload, err)
	}
	ch := domain.Change{JobID: p.Job, Ended: p.Ended}
	if p.Batch != nil {
		ch.BatchID = *p.Batch
	}
	c.sink.Changed(ch)
	return nil
}

// HandleBacklog implements pgxlisten.BacklogHandler: it runs once the
// connection listens, after every (re)connection.
func (c changes) HandleBacklog(context.Context, string, *pgx.Conn) error {
	c.sink.Resync()
	return nil
}
