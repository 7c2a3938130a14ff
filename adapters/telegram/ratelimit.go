package telegram

import (
	"context"
	"fmt"
	"sync"
	"time"

	"golang.org/x/time/rate"
)

// Telegram's limits for bots: about one message a second in one chat and
// thirty a second overall.
const (
	chatRate = rate.Limit(1)
	botRate  = rate.Limit(30)
	// idleChat is how long a chat's limiter is kept after its last use;
	// by then it is full again and a fresh one behaves the same.
	idleChat = time.Minute
)

// limits queues outgoing messages so that no chat gets more than one a
// second and the bot no more than thirty. Waiting honours the caller's
// context; a wait that would outlast its deadline fails at once.
type limits struct {
	bot *rate.Limiter

	mu    sync.Mutex
	chats map[int64]*chatLimit
	swept time.Time
}

type chatLimit struct {
	lim  *rate.Limiter
	last time.Time
}

func newLimits() *limits {
	return &limits{bot: rate.NewLimiter(botRate, 1), chats: make(map[int64]*chatLimit)}
}

// wait blocks until one more message may go to chat.
func (l *limits) wait(ctx context.Context, chat int64) error {
	if err := l.reserveChat(chat).wait(ctx); err != nil {
		return err
	}
	return l.bot.Wait(ctx)
}

// reservation is a turn taken in a chat's queue.
type reservation struct{ r *rate.Reservation }

func (r reservation) wait(ctx context.Context) error {
	d := r.r.Delay()
	if dl, ok := ctx.Deadline(); ok && time.Until(dl) < d {
		r.r.Cancel()
		return fmt.Errorf("rate limit: the chat's turn comes in %s, after the deadline", d.Round(time.Millisecond))
	}
	if err := sleepCtx(ctx, d); err != nil {
		r.r.Cancel()
		return err
	}
	return nil
}

// reserveChat takes the chat's next turn. A chat's limiter is dropped once
// its last turn is idleChat in the past.
func (l *limits) reserveChat(id int64) reservation {
	now := time.Now()
	l.mu.Lock()
	defer l.mu.Unlock()
	if now.Sub(l.swept) > idleChat {
		for k, c := range l.chats {
			if now.Sub(c.last) > idleChat {
				delete(l.chats, k)
			}
		}
		l.swept = now
	}
	c, ok := l.chats[id]
	if !ok {
		c = &chatLimit{lim: rate.NewLimiter(chatRate, 1)}
		l.chats[id] = c
	}
	r := c.lim.ReserveN(now, 1)
	c.last = now.Add(r.DelayFrom(now))
	return reservation{r}
}
