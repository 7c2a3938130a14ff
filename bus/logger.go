package bus

import (
	"context"
	"log/slog"

	"github.com/ThreeDotsLabs/watermill"
)

// watermillLogger adapts logger for watermill. Watermill's routine
// lifecycle messages at info become debug here, and messages at a disabled
// level are dropped before watermill's fields are converted: GoChannel and
// the router log a few per message, which would otherwise allocate even
// when discarded.
func watermillLogger(logger *slog.Logger) watermill.LoggerAdapter {
	return gatedLogger{
		LoggerAdapter: watermill.NewSlogLoggerWithLevelMapping(logger,
			map[slog.Level]slog.Level{slog.LevelInfo: slog.LevelDebug}),
		slog: logger,
	}
}

type gatedLogger struct {
	watermill.LoggerAdapter
	slog *slog.Logger
}

func (l gatedLogger) Info(msg string, fields watermill.LogFields) {
	if l.slog.Enabled(context.Background(), slog.LevelDebug) {
		l.LoggerAdapter.Info(msg, fields)
	}
}

func (l gatedLogger) Debug(msg string, fields watermill.LogFields) {
	if l.slog.Enabled(context.Background(), slog.LevelDebug) {
		l.LoggerAdapter.Debug(msg, fields)
	}
}

func (l gatedLogger) Trace(msg string, fields watermill.LogFields) {
	if l.slog.Enabled(context.Background(), watermill.LevelTrace) {
		l.LoggerAdapter.Trace(msg, fields)
	}
}

// With keeps the gate on the child logger.
func (l gatedLogger) With(fields watermill.LogFields) watermill.LoggerAdapter {
	return gatedLogger{LoggerAdapter: l.LoggerAdapter.With(fields), slog: l.slog}
}
