package bus

import (
	"errors"
	"fmt"
	"time"

	"github.com/ThreeDotsLabs/watermill/message"

	"github.com/switchboard-hq/switchboard/core"
)

// DriverMemory is the in-process pub/sub: watermill's GoChannel. Nothing
// survives a restart except what the outbox holds, which the relay replays.
const DriverMemory = "memory"

// Config configures a Bus. Zero fields take the defaults noted on them.
type Config struct {
	// Driver names the pub/sub (default DriverMemory). Any other driver
	// needs PubSub, built by the caller.
	Driver string `mapstructure:"driver"`
	// PubSub, when set, is the pub/sub the bus runs on instead of the
	// driver's own: the seam for NATS JetStream. Run closes it on return.
	PubSub *PubSub `mapstructure:"-"`
	// Buffer is the memory driver's per-subscriber channel buffer
	// (default 64). Publishing blocks until the message is handled whatever
	// its size, so it only smooths bursts.
	Buffer int `mapstructure:"buffer"`

	Retry RetryConfig `mapstructure:"retry"`
	Relay RelayConfig `mapstructure:"relay"`

	// Outbox is the store's transactional outbox, relayed onto the bus.
	// Without it the bus runs no relay and only Publish feeds it.
	Outbox core.Outbox `mapstructure:"-"`
	// Poison keeps the messages handlers finally failed on. Required.
	Poison PoisonSink `mapstructure:"-"`
	// PoisonTopic, when set, also receives a copy of each poisoned message,
	// with the reason and handler in its metadata. Best effort: the
	// PoisonSink is the record.
	PoisonTopic string `mapstructure:"poison_topic"`

	// CloseTimeout bounds how long Run waits for running handlers once its
	// context is cancelled (default 30s).
	CloseTimeout time.Duration `mapstructure:"close_timeout"`
}

// PubSub is the watermill publisher and subscriber pair the bus runs on.
//
// Publish must return only once the broker holds the message (GoChannel with
// BlockPublishUntilSubscriberAck: once it was handled); the relay then
// removes the record from the outbox.
type PubSub struct {
	Publisher  message.Publisher
	Subscriber message.Subscriber
}

// RetryConfig sets the exponential backoff between a handler's attempts.
type RetryConfig struct {
	// MaxRetries is how many times a failing handler is run again after its
	// first attempt (default 5; negative: never).
	MaxRetries int `mapstructure:"max_retries"`
	// InitialInterval is the wait before the first retry (default 200ms).
	InitialInterval time.Duration `mapstructure:"initial_interval"`
	// MaxInterval caps the wait between retries (default 5s).
	MaxInterval time.Duration `mapstructure:"max_interval"`
	// Multiplier grows the wait after each retry (default 2).
	Multiplier float64 `mapstructure:"multiplier"`
}

// RelayConfig tunes the outbox relay.
type RelayConfig struct {
	// PollInterval is how often the outbox is read when no signal came
	// (default 1s). It also paces retries after store or publish errors.
	PollInterval time.Duration `mapstructure:"poll_interval"`
	// ReadBatch is how many records one outbox read returns (default 256).
	ReadBatch int `mapstructure:"read_batch"`
	// QueueSize is how many records per topic wait in memory (default 256).
	// A topic whose queue is full reads its backlog from the outbox later,
	// so a slow topic costs reads, never other topics' progress.
	QueueSize int `mapstructure:"queue_size"`
	// DoneBatch and DoneInterval batch the removal of handled records: each
	// OutboxDone is a durable commit. A batch is written when it holds
	// DoneBatch ids (default 256) or DoneInterval after its first id
	// (default 20ms).
	DoneBatch    int           `mapstructure:"done_batch"`
	DoneInterval time.Duration `mapstructure:"done_interval"`
}

func (c *Config) setDefaults() {
	if c.Driver == "" {
		c.Driver = DriverMemory
	}
	if c.Buffer == 0 {
		c.Buffer = 64
	}
	if c.CloseTimeout == 0 {
		c.CloseTimeout = 30 * time.Second
	}
	c.Retry.setDefaults()
	c.Relay.setDefaults()
}

func (c *RetryConfig) setDefaults() {
	if c.MaxRetries == 0 {
		c.MaxRetries = 5
	}
	if c.MaxRetries < 0 {
		c.MaxRetries = 0
	}
	if c.InitialInterval == 0 {
		c.InitialInterval = 200 * time.Millisecond
	}
	if c.MaxInterval == 0 {
		c.MaxInterval = 5 * time.Second
	}
	if c.Multiplier == 0 {
		c.Multiplier = 2
	}
}

func (c *RelayConfig) setDefaults() {
	if c.PollInterval == 0 {
		c.PollInterval = time.Second
	}
	if c.ReadBatch == 0 {
		c.ReadBatch = 256
	}
	if c.QueueSize == 0 {
		c.QueueSize = 256
	}
	if c.DoneBatch == 0 {
		c.DoneBatch = 256
	}
	if c.DoneInterval == 0 {
		c.DoneInterval = 20 * time.Millisecond
	}
}

// Validate reports what is wrong with c. New applies the defaults first, so
// zero fields are valid there.
func (c Config) Validate() error {
	var errs []error
	switch {
	case c.PubSub != nil && (c.PubSub.Publisher == nil || c.PubSub.Subscriber == nil):
		errs = append(errs, errors.New("pubsub needs both a publisher and a subscriber"))
	case c.PubSub == nil && c.Driver != DriverMemory:
		errs = append(errs, fmt.Errorf("driver %q needs a pubsub built by the caller", c.Driver))
	}
	if c.Buffer < 0 {
		errs = append(errs, fmt.Errorf("buffer %d is negative", c.Buffer))
	}
	if c.Poison == nil {
		errs = append(errs, errors.New("poison sink is required"))
	}
	if c.CloseTimeout < 0 {
		errs = append(errs, fmt.Errorf("close timeout %s is negative", c.CloseTimeout))
	}
	errs = append(errs, c.Retry.validate(), c.Relay.validate())
	if err := errors.Join(errs...); err != nil {
		return fmt.Errorf("bus config: %w", err)
	}
	return nil
}

func (c RetryConfig) validate() error {
	var errs []error
	if c.InitialInterval <= 0 || c.MaxInterval < c.InitialInterval {
		errs = append(errs, fmt.Errorf("retry intervals want 0 < initial (%s) <= max (%s)", c.InitialInterval, c.MaxInterval))
	}
	if c.Multiplier < 1 {
		errs = append(errs, fmt.Errorf("retry multiplier %g is below 1", c.Multiplier))
	}
	return errors.Join(errs...)
}

func (c RelayConfig) validate() error {
	var errs []error
	if c.PollInterval <= 0 || c.DoneInterval <= 0 {
		errs = append(errs, fmt.Errorf("relay poll (%s) and done (%s) intervals must be positive", c.PollInterval, c.DoneInterval))
	}
	if c.ReadBatch < 1 || c.QueueSize < 1 || c.DoneBatch < 1 {
		errs = append(errs, fmt.Errorf("relay read batch (%d), queue size (%d) and done batch (%d) must be at least 1",
			c.ReadBatch, c.QueueSize, c.DoneBatch))
	}
	return errors.Join(errs...)
}
