package main

import (
	"context"
	"encoding/binary"
	"fmt"
	"strconv"

	"github.com/cloudwego/gopkg/protocol/thrift"
	"github.com/cloudwego/gopkg/protocol/ttheader"
)

// FrameView is what the Go side understands of one recorded frame: the TTHeader as decoded by
// cloudwego/gopkg (the decoder Kitex itself uses), the framing Kitex's codec would detect, and
// the message header.
type FrameView struct {
	File     string        `json:"file"`
	Size     int           `json:"size"`
	Kind     string        `json:"kind"`
	TTHeader *TTHeaderView `json:"ttheader,omitempty"`
	Message  MessageView   `json:"message"`
}

// TTHeaderView mirrors ttheader.DecodeParam, with int keys as decimal strings for JSON.
type TTHeaderView struct {
	Flags         uint16            `json:"flags"`
	SeqID         int32             `json:"seqId"`
	ProtocolID    uint8             `json:"protocolId"`
	IntInfo       map[string]string `json:"intInfo"`
	StrInfo       map[string]string `json:"strInfo"`
	HeaderLength  int               `json:"headerLength"`
	PayloadLength int               `json:"payloadLength"`
}

// MessageView is the Thrift message header or Kitex Protobuf envelope.
type MessageView struct {
	Protocol string `json:"protocol"`
	Name     string `json:"name"`
	Type     int    `json:"type"`
	SeqID    int32  `json:"seqId"`
	Length   int    `json:"length"`
}

const (
	thriftMagic   = 0x8001
	protobufMagic = 0x9001
)

// viewFrame decodes one frame the way Kitex's default codec reads it.
func viewFrame(file string, frame []byte) (FrameView, error) {
	view := FrameView{File: file, Size: len(frame)}
	if len(frame) < 8 {
		return view, fmt.Errorf("%s: %d bytes is not a frame", file, len(frame))
	}
	payload := frame
	isTTHeader := ttheader.IsTTHeader(frame)
	if isTTHeader {
		param, err := ttheader.DecodeFromBytes(context.Background(), frame)
		if err != nil {
			return view, fmt.Errorf("%s: %w", file, err)
		}
		intInfo := map[string]string{}
		for k, v := range param.IntInfo {
			intInfo[strconv.Itoa(int(k))] = v
		}
		strInfo := map[string]string{}
		for k, v := range param.StrInfo {
			strInfo[k] = v
		}
		view.TTHeader = &TTHeaderView{
			Flags: uint16(param.Flags), SeqID: param.SeqID, ProtocolID: uint8(param.ProtocolID),
			IntInfo: intInfo, StrInfo: strInfo, HeaderLength: param.HeaderLen, PayloadLength: param.PayloadLen,
		}
		payload = frame[param.HeaderLen:]
	}
	switch {
	case binary.BigEndian.Uint16(payload) == thriftMagic:
		view.Kind = map[bool]string{true: "ttheader", false: "pure-payload"}[isTTHeader]
	case binary.BigEndian.Uint16(payload[4:]) == thriftMagic || binary.BigEndian.Uint16(payload[4:]) == protobufMagic:
		view.Kind = map[bool]string{true: "ttheader-framed", false: "framed"}[isTTHeader]
		payload = payload[4:]
	default:
		return view, fmt.Errorf("%s: unrecognised payload % x", file, payload[:8])
	}
	message, err := viewMessage(payload)
	view.Message = message
	return view, err
}

func viewMessage(payload []byte) (MessageView, error) {
	if binary.BigEndian.Uint16(payload) == protobufMagic {
		nameLength := int(binary.BigEndian.Uint32(payload[4:]))
		return MessageView{
			Protocol: "kitex-protobuf",
			Type:     int(binary.BigEndian.Uint16(payload[2:])),
			Name:     string(payload[8 : 8+nameLength]),
			SeqID:    int32(binary.BigEndian.Uint32(payload[8+nameLength:])),
			Length:   len(payload),
		}, nil
	}
	name, typeID, seq, _, err := thrift.Binary.ReadMessageBegin(payload)
	return MessageView{Protocol: "thrift-binary", Name: name, Type: int(typeID), SeqID: seq, Length: len(payload)}, err
}
