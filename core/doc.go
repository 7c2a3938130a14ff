// Package core is Switchboard's domain: contacts, conversations, messages,
// operators, the capability model, the conversation state machine, routing and
// operator commands, and the ports (interfaces) the domain needs from the
// outside world: a store, a blob store, a clock and an id source.
//
// core imports no adapter, no provider SDK, no bus library and no config
// library. Adapters hand it normalised Inbound values through Hub.Receive and
// implement Channel to carry Outbound values back to their provider.
package core
