package main

import (
	"fmt"

	"google.golang.org/protobuf/encoding/protowire"
)

// Hand-written Protobuf codecs for echo.proto. Kitex Protobuf's codec only needs the argument and
// result wrappers to implement Marshal/Unmarshal (its ProtobufMsgCodec interface); as in
// kitex-generated code, the wire body is the request or response message itself.

func appendEcho(out []byte, m *EchoRequest) []byte {
	if m.Message != "" {
		out = protowire.AppendTag(out, 1, protowire.BytesType)
		out = protowire.AppendString(out, m.Message)
	}
	if m.ID != 0 {
		out = protowire.AppendTag(out, 2, protowire.VarintType)
		out = protowire.AppendVarint(out, uint64(m.ID))
	}
	return out
}

func parseEcho(in []byte, m *EchoRequest) error {
	for len(in) > 0 {
		num, typ, n := protowire.ConsumeTag(in)
		if n < 0 {
			return protowire.ParseError(n)
		}
		in = in[n:]
		switch {
		case num == 1 && typ == protowire.BytesType:
			v, n := protowire.ConsumeString(in)
			if n < 0 {
				return protowire.ParseError(n)
			}
			m.Message, in = v, in[n:]
		case num == 2 && typ == protowire.VarintType:
			v, n := protowire.ConsumeVarint(in)
			if n < 0 {
				return protowire.ParseError(n)
			}
			m.ID, in = int64(v), in[n:]
		default:
			n := protowire.ConsumeFieldValue(num, typ, in)
			if n < 0 {
				return fmt.Errorf("field %d: %w", num, protowire.ParseError(n))
			}
			in = in[n:]
		}
	}
	return nil
}

// EchoPbArgs wraps the request of EchoService.Echo.
type EchoPbArgs struct {
	Req *EchoRequest
}

func (p *EchoPbArgs) GetFirstArgument() interface{} { return p.Req }

func (p *EchoPbArgs) Marshal(out []byte) ([]byte, error) {
	if p.Req == nil {
		return out, nil
	}
	return appendEcho(out, p.Req), nil
}

func (p *EchoPbArgs) Unmarshal(in []byte) error {
	p.Req = &EchoRequest{}
	return parseEcho(in, p.Req)
}

// EchoPbResult wraps the response of EchoService.Echo.
type EchoPbResult struct {
	Success *EchoResponse
}

func (p *EchoPbResult) GetResult() interface{} { return p.Success }

func (p *EchoPbResult) SetSuccess(x interface{}) { p.Success = x.(*EchoResponse) }

func (p *EchoPbResult) Marshal(out []byte) ([]byte, error) {
	if p.Success == nil {
		return out, nil
	}
	return appendEcho(out, p.Success), nil
}

func (p *EchoPbResult) Unmarshal(in []byte) error {
	p.Success = &EchoResponse{}
	return parseEcho(in, p.Success)
}
