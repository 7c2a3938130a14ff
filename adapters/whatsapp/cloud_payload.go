package whatsapp

import "encoding/json"

// The wire format of WhatsApp Business Cloud API webhooks (Graph API
// v21.0): a POST body holds entries, one per WhatsApp Business Account, each
// with changes; a "messages" change carries the contact's messages and the
// statuses of the business's own. Only the fields the adapter reads are
// declared; others are ignored.

type cloudBody struct {
	Object string       `json:"object"`
	Entry  []cloudEntry `json:"entry"`
}

type cloudEntry struct {
	ID      string        `json:"id"`
	Changes []cloudChange `json:"changes"`
}

// cloudChange keeps its value raw: only "messages" changes are decoded.
type cloudChange struct {
	Field string          `json:"field"`
	Value json.RawMessage `json:"value"`
}

type cloudValue struct {
	MessagingProduct string `json:"messaging_product"`
	Metadata         struct {
		DisplayPhoneNumber string `json:"display_phone_number"`
		PhoneNumberID      string `json:"phone_number_id"`
	} `json:"metadata"`
	Contacts []cloudContact    `json:"contacts"`
	Messages []json.RawMessage `json:"messages"`
	Statuses []json.RawMessage `json:"statuses"`
}

// cloudContact is the sender's profile, matched to a message by wa_id.
type cloudContact struct {
	Profile struct {
		Name string `json:"name"`
	} `json:"profile"`
	WaID string `json:"wa_id"`
}

// cloudMessage is one message a contact sent; Type names which of the
// content fields is set.
type cloudMessage struct {
	From      string `json:"from"`
	ID        string `json:"id"`
	Timestamp string `json:"timestamp"`
	Type      string `json:"type"`
	Context   *struct {
		From string `json:"from"`
		ID   string `json:"id"`
	} `json:"context"`
	Text *struct {
		Body string `json:"body"`
	} `json:"text"`
	Image       *cloudMedia          `json:"image"`
	Audio       *cloudMedia          `json:"audio"`
	Video       *cloudMedia          `json:"video"`
	Document    *cloudMedia          `json:"document"`
	Sticker     *cloudMedia          `json:"sticker"`
	Location    *cloudLocation       `json:"location"`
	Contacts    []cloudSharedContact `json:"contacts"`
	Reaction    *cloudReaction       `json:"reaction"`
	Interactive *cloudInteractive    `json:"interactive"`
	Button      *struct {
		Payload string `json:"payload"`
		Text    string `json:"text"`
	} `json:"button"`
	Errors []cloudError `json:"errors"`
}

// cloudMedia is a file kept by Meta, fetched by its id through the Graph
// media endpoint.
type cloudMedia struct {
	ID       string `json:"id"`
	MIMEType string `json:"mime_type"`
	Caption  string `json:"caption"`
	Filename string `json:"filename"`
	Voice    bool   `json:"voice"`
}

type cloudLocation struct {
	Latitude  float64 `json:"latitude"`
	Longitude float64 `json:"longitude"`
	Name      string  `json:"name"`
	Address   string  `json:"address"`
}

// cloudSharedContact is a contact card the contact shared.
type cloudSharedContact struct {
	Name struct {
		FormattedName string `json:"formatted_name"`
	} `json:"name"`
	Phones []struct {
		Phone string `json:"phone"`
		WaID  string `json:"wa_id"`
	} `json:"phones"`
}

type cloudReaction struct {
	MessageID string `json:"message_id"`
	Emoji     string `json:"emoji"`
}

// cloudInteractive is the answer to an interactive message: a reply button
// or a list row.
type cloudInteractive struct {
	Type        string `json:"type"`
	ButtonReply *struct {
		ID    string `json:"id"`
		Title string `json:"title"`
	} `json:"button_reply"`
	ListReply *struct {
		ID          string `json:"id"`
		Title       string `json:"title"`
		Description string `json:"description"`
	} `json:"list_reply"`
}

// cloudStatus is the fate of a message the business sent.
type cloudStatus struct {
	ID          string       `json:"id"`
	Status      string       `json:"status"`
	Timestamp   string       `json:"timestamp"`
	RecipientID string       `json:"recipient_id"`
	Errors      []cloudError `json:"errors"`
}

// cloudError is how Meta explains a failed or unsupported message.
type cloudError struct {
	Code      int    `json:"code"`
	Title     string `json:"title"`
	Message   string `json:"message"`
	ErrorData struct {
		Details string `json:"details"`
	} `json:"error_data"`
}
