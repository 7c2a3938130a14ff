// Package bus carries Switchboard's traffic over watermill. It is the only
// package that imports watermill.
//
// The store is the log of record: the core writes outbox records (topic, key,
// payload) in the same transaction as the state change they announce, and
// the bus relays them onto watermill topics (core.TopicInbound,
// core.TopicEvents, core.OutboundTopic(channel)) and runs the handlers
// registered with Bus.Handle. A record is removed from the outbox only once
// every handler of its topic has handled it or given it up to the PoisonSink,
// so a crash or restart replays whatever was in flight.
//
// Delivery is at least once; handlers are idempotent (the store has unique
// keys). Records of one topic are published one at a time in ID order, so the
// messages of one conversation are handled in order, and a slow topic never
// holds up another.
//
// Every handler runs inside this middleware, outermost first:
//
//	correlation  puts the message's correlation id in ctx (CorrelationID)
//	poison       hands a message that finally failed to the PoisonSink, then acks
//	retry        retries with exponential backoff, except core.IsPermanent errors
//	recoverer    turns a handler panic into an error
//
// The default pub/sub is watermill's in-process GoChannel with
// BlockPublishUntilSubscriberAck, so publishing a message returns only once
// it was handled. Config.PubSub plugs in another (NATS JetStream for
// scale-out) without changing callers.
package bus
