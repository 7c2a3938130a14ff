// Package telegram connects Telegram bots to Switchboard through the
// Telegram Bot API (https://core.telegram.org/bots/api), using
// github.com/go-telegram-bot-api/telegram-bot-api/v5 v5.5.1, which speaks
// Bot API 5.5. Inbound updates are read with the library's types plus the
// few fields of later Bot API versions that matter here (video stickers,
// Bot API 5.7); anything newer is skipped with a log line.
//
// Each configured bot is one channel instance. It receives updates either by
// long polling getUpdates (the default; the offset is kept in the channel's
// durable state, so a restart neither loses nor repeats updates) or as a
// webhook registered with setWebhook, whose requests must carry the
// configured secret in X-Telegram-Bot-Api-Secret-Token. An update is
// acknowledged (answered 200, or passed in the next getUpdates offset) only
// once the hub has durably stored it.
//
// Private chats are customer conversations; groups, supergroups and channels
// are skipped with a logged reason. Operator replies go out with sendMessage
// (split at 4,096 UTF-16 code units), sendPhoto, sendVoice, sendAudio,
// sendVideo and sendDocument, at most one message per second per chat and
// 30 per second per bot; deleteMessage removes a sent reply within 48 hours.
package telegram
