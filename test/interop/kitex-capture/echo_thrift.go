package main

import (
	"fmt"

	"github.com/cloudwego/gopkg/protocol/thrift"
)

// Hand-written Thrift Binary codecs for echo.thrift, implementing gopkg's thrift.FastCodec: the
// interface kitex-generated structs implement and Kitex's default codec uses. Fields are written
// in IDL order, as generated code does.

var bp = thrift.Binary

// EchoRequest is echo.thrift's EchoRequest.
type EchoRequest struct {
	Message string
	ID      int64
}

func (p *EchoRequest) BLength() int {
	return bp.FieldBeginLength() + bp.StringLength(p.Message) + bp.FieldBeginLength() + bp.I64Length() + bp.FieldStopLength()
}

func (p *EchoRequest) FastWriteNocopy(buf []byte, _ thrift.NocopyWriter) int {
	n := bp.WriteFieldBegin(buf, thrift.STRING, 1)
	n += bp.WriteString(buf[n:], p.Message)
	n += bp.WriteFieldBegin(buf[n:], thrift.I64, 2)
	n += bp.WriteI64(buf[n:], p.ID)
	return n + bp.WriteFieldStop(buf[n:])
}

func (p *EchoRequest) FastRead(buf []byte) (int, error) {
	return readStruct(buf, func(b []byte, t thrift.TType, id int16) (int, bool, error) {
		switch {
		case id == 1 && t == thrift.STRING:
			v, n, err := bp.ReadString(b)
			p.Message = v
			return n, true, err
		case id == 2 && t == thrift.I64:
			v, n, err := bp.ReadI64(b)
			p.ID = v
			return n, true, err
		}
		return 0, false, nil
	})
}

// EchoResponse is echo.thrift's EchoResponse; it has the same shape as EchoRequest.
type EchoResponse = EchoRequest

// EchoError is echo.thrift's exception EchoError.
type EchoError struct {
	Code    int32
	Message string
}

func (e *EchoError) Error() string {
	return fmt.Sprintf("EchoError(code=%d, message=%q)", e.Code, e.Message)
}

func (e *EchoError) BLength() int {
	return bp.FieldBeginLength() + bp.I32Length() + bp.FieldBeginLength() + bp.StringLength(e.Message) + bp.FieldStopLength()
}

func (e *EchoError) FastWriteNocopy(buf []byte, _ thrift.NocopyWriter) int {
	n := bp.WriteFieldBegin(buf, thrift.I32, 1)
	n += bp.WriteI32(buf[n:], e.Code)
	n += bp.WriteFieldBegin(buf[n:], thrift.STRING, 2)
	n += bp.WriteString(buf[n:], e.Message)
	return n + bp.WriteFieldStop(buf[n:])
}

func (e *EchoError) FastRead(buf []byte) (int, error) {
	return readStruct(buf, func(b []byte, t thrift.TType, id int16) (int, bool, error) {
		switch {
		case id == 1 && t == thrift.I32:
			v, n, err := bp.ReadI32(b)
			e.Code = v
			return n, true, err
		case id == 2 && t == thrift.STRING:
			v, n, err := bp.ReadString(b)
			e.Message = v
			return n, true, err
		}
		return 0, false, nil
	})
}

// EchoArgs is the argument struct of EchoService.echo: field 1 is the request.
type EchoArgs struct {
	Req *EchoRequest
}

func (p *EchoArgs) GetFirstArgument() interface{} { return p.Req }

func (p *EchoArgs) BLength() int {
	n := bp.FieldStopLength()
	if p.Req != nil {
		n += bp.FieldBeginLength() + p.Req.BLength()
	}
	return n
}

func (p *EchoArgs) FastWriteNocopy(buf []byte, w thrift.NocopyWriter) int {
	n := 0
	if p.Req != nil {
		n += bp.WriteFieldBegin(buf, thrift.STRUCT, 1)
		n += p.Req.FastWriteNocopy(buf[n:], w)
	}
	return n + bp.WriteFieldStop(buf[n:])
}

func (p *EchoArgs) FastRead(buf []byte) (int, error) {
	return readStruct(buf, func(b []byte, t thrift.TType, id int16) (int, bool, error) {
		if id == 1 && t == thrift.STRUCT {
			p.Req = &EchoRequest{}
			n, err := p.Req.FastRead(b)
			return n, true, err
		}
		return 0, false, nil
	})
}

// EchoResult is the result struct of EchoService.echo: field 0 the success value, field 1 the
// declared exception.
type EchoResult struct {
	Success *EchoResponse
	Err     *EchoError
}

func (p *EchoResult) GetResult() interface{} { return p.Success }

func (p *EchoResult) SetSuccess(x interface{}) { p.Success = x.(*EchoResponse) }

func (p *EchoResult) BLength() int {
	n := bp.FieldStopLength()
	if p.Success != nil {
		n += bp.FieldBeginLength() + p.Success.BLength()
	}
	if p.Err != nil {
		n += bp.FieldBeginLength() + p.Err.BLength()
	}
	return n
}

func (p *EchoResult) FastWriteNocopy(buf []byte, w thrift.NocopyWriter) int {
	n := 0
	if p.Success != nil {
		n += bp.WriteFieldBegin(buf, thrift.STRUCT, 0)
		n += p.Success.FastWriteNocopy(buf[n:], w)
	}
	if p.Err != nil {
		n += bp.WriteFieldBegin(buf[n:], thrift.STRUCT, 1)
		n += p.Err.FastWriteNocopy(buf[n:], w)
	}
	return n + bp.WriteFieldStop(buf[n:])
}

func (p *EchoResult) FastRead(buf []byte) (int, error) {
	return readStruct(buf, func(b []byte, t thrift.TType, id int16) (int, bool, error) {
		switch {
		case id == 0 && t == thrift.STRUCT:
			p.Success = &EchoResponse{}
			n, err := p.Success.FastRead(b)
			return n, true, err
		case id == 1 && t == thrift.STRUCT:
			p.Err = &EchoError{}
			n, err := p.Err.FastRead(b)
			return n, true, err
		}
		return 0, false, nil
	})
}

// readStruct walks a struct's fields, handing each to field; fields it does not take are skipped.
func readStruct(buf []byte, field func(b []byte, t thrift.TType, id int16) (int, bool, error)) (int, error) {
	off := 0
	for {
		t, id, n, err := bp.ReadFieldBegin(buf[off:])
		if err != nil {
			return off, err
		}
		off += n
		if t == thrift.STOP {
			return off, nil
		}
		n, taken, err := field(buf[off:], t, id)
		if err != nil {
			return off, err
		}
		if !taken {
			if n, err = bp.Skip(buf[off:], t); err != nil {
				return off, err
			}
		}
		off += n
	}
}
