package blobfs_test

import (
	"bytes"
	"context"
	"testing"

	"github.com/switchboard-hq/switchboard/core/store/blobfs"
)

// ftyp builds the start of an ISO base media file with a major brand.
func ftyp(brand string) []byte {
	b := []byte{0, 0, 0, 0x18, 'f', 't', 'y', 'p'}
	b = append(b, brand...)
	b = append(b, 0, 0, 0, 0)
	return append(b, "isommp42"...)
}

// oggPage builds the first page of an Ogg stream carrying codec header h.
func oggPage(h string) []byte {
	b := []byte("OggS\x00\x02")
	b = append(b, make([]byte, 20)...) // granule, serial, sequence, checksum
	b = append(b, 1, byte(len(h)))     // one segment
	return append(b, h...)
}

func TestSniff(t *testing.T) {
	tests := []struct {
		name string
		data []byte
		want string
	}{
		{"png", []byte("\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR"), "image/png"},
		{"jpeg", []byte("\xFF\xD8\xFF\xE0\x00\x10JFIF\x00"), "image/jpeg"},
		{"gif", []byte("GIF89a\x01\x00"), "image/gif"},
		{"pdf", []byte("%PDF-1.7\n%\xe2\xe3\xcf\xd3\n"), "application/pdf"},
		{"mp3 with ID3", []byte("ID3\x04\x00\x00\x00\x00\x00\x00"), "audio/mpeg"},
		{"mp3 frame", []byte{0xFF, 0xFB, 0x90, 0x64, 0, 0}, "audio/mpeg"},
		{"aac adts", []byte{0xFF, 0xF1, 0x50, 0x80, 0, 0}, "audio/aac"},
		{"ogg opus voice note", oggPage("OpusHead\x01\x01"), "audio/ogg"},
		{"ogg vorbis", oggPage("\x01vorbis\x00\x00"), "audio/ogg"},
		{"ogg theora", oggPage("\x80theora"), "video/ogg"},
		{"m4a voice memo", ftyp("M4A "), "audio/mp4"},
		{"mp4 video", ftyp("mp42"), "video/mp4"},
		{"quicktime", ftyp("qt  "), "video/quicktime"},
		{"heic photo", ftyp("heic"), "image/heic"},
		{"3gp", ftyp("3gp4"), "video/3gpp"},
		{"amr", []byte("#!AMR\n\x3c"), "audio/amr"},
		{"amr-wb", []byte("#!AMR-WB\n"), "audio/amr-wb"},
		{"webp", []byte("RIFF\x00\x00\x00\x00WEBPVP8 "), "image/webp"},
		{"text", []byte("hello there"), "text/plain; charset=utf-8"},
		{"utf-16 text", []byte("\xFF\xFEh\x00i\x00"), "text/plain; charset=utf-16le"},
		{"unknown", []byte{0x00, 0x01, 0x02, 0x03}, "application/octet-stream"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := blobfs.Sniff(tt.data); got != tt.want {
				t.Errorf("Sniff() got = %q, want %q", got, tt.want)
			}
		})
	}
}

func TestPut_sniffs_the_bytes(t *testing.T) {
	s, _ := newStore(t)
	b, err := s.Put(context.Background(), bytes.NewReader(oggPage("OpusHead\x01\x01")), 1<<20)
	if err != nil {
		t.Fatal(err)
	}
	if b.MIMEType != "audio/ogg" {
		t.Errorf("MIMEType = %q, want audio/ogg", b.MIMEType)
	}
}
