package queue

import (
	"fmt"
	"log/slog"
	"os"

	"github.com/hibiken/asynq"
)

// Logger adapts a slog.Logger to asynq's logger interface.
func Logger(l *slog.Logger) asynq.Logger { return slogger{l.With("component", "asynq")} }

type slogger struct{ l *slog.Logger }

func (s slogger) Debug(args ...any) { s.l.Debug(fmt.Sprint(args...)) }
func (s slogger) Info(args ...any)  { s.l.Info(fmt.Sprint(args...)) }
func (s slogger) Warn(args ...any)  { s.l.Warn(fmt.Sprint(args...)) }
func (s slogger) Error(args ...any) { s.l.Error(fmt.Sprint(args...)) }
func (s slogger) Fatal(args ...any) { s.l.Error(fmt.Sprint(args...)); os.Exit(1) }
