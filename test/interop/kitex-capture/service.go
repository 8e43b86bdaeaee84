package main

import (
	"context"
	"encoding/json"
	"errors"
	"sync"

	"github.com/bytedance/gopkg/cloud/metainfo"
	"github.com/cloudwego/kitex/pkg/kerrors"
	"github.com/cloudwego/kitex/pkg/rpcinfo"
	"github.com/cloudwego/kitex/pkg/serviceinfo"
)

// Messages that make the handler fail in each way a Kitex server can.
const (
	raiseDeclared    = "raise-declared"
	raiseBiz         = "raise-biz"
	raiseApplication = "raise-application"
	// reportMeta makes the handler answer with what it received, as JSON, for live tests.
	reportMeta = "report-meta"
)

// ServerObservation is what the Kitex server handler saw for one call.
type ServerObservation struct {
	Method      string            `json:"method"`
	SeqID       int32             `json:"seqId"`
	Message     string            `json:"message"`
	ID          int64             `json:"id"`
	FromService string            `json:"fromService"`
	FromMethod  string            `json:"fromMethod"`
	Transport   string            `json:"transport"`
	Transient   map[string]string `json:"transient"`
	Persistent  map[string]string `json:"persistent"`
}

// echoService implements EchoService for both payload codecs and remembers every call.
type echoService struct {
	mu       sync.Mutex
	observed []ServerObservation
}

func (s *echoService) Echo(ctx context.Context, req *EchoRequest) (*EchoResponse, error) {
	ri := rpcinfo.GetRPCInfo(ctx)
	seen := ServerObservation{
		Method:      ri.Invocation().MethodName(),
		SeqID:       ri.Invocation().SeqID(),
		Message:     req.Message,
		ID:          req.ID,
		FromService: ri.From().ServiceName(),
		FromMethod:  ri.From().Method(),
		Transport:   ri.Config().TransportProtocol().String(),
		Transient:   orEmpty(metainfo.GetAllValues(ctx)),
		Persistent:  orEmpty(metainfo.GetAllPersistentValues(ctx)),
	}
	s.mu.Lock()
	s.observed = append(s.observed, seen)
	s.mu.Unlock()

	switch req.Message {
	case raiseDeclared:
		return nil, &EchoError{Code: 7, Message: "declared failure"}
	case raiseBiz:
		return nil, kerrors.NewBizStatusErrorWithExtra(1001, "biz said no", map[string]string{"reason": "quota"})
	case raiseApplication:
		return nil, errors.New("handler failed")
	case reportMeta:
		report, _ := json.Marshal(seen)
		return &EchoResponse{Message: string(report), ID: req.ID}, nil
	}
	metainfo.SendBackwardValue(ctx, "served-by", "kitex-capture")
	return &EchoResponse{Message: "echo: " + req.Message, ID: req.ID}, nil
}

// takeObserved returns and forgets what the handler has seen.
func (s *echoService) takeObserved() []ServerObservation {
	s.mu.Lock()
	defer s.mu.Unlock()
	seen := s.observed
	s.observed = nil
	return seen
}

func orEmpty(m map[string]string) map[string]string {
	if m == nil {
		return map[string]string{}
	}
	return m
}

// The method handlers below do what kitex-generated handlers do: unpack the arguments, call the
// service, and put a declared exception into the result struct instead of returning it.

func thriftEchoHandler(ctx context.Context, handler, arg, result interface{}) error {
	res := result.(*EchoResult)
	resp, err := handler.(*echoService).Echo(ctx, arg.(*EchoArgs).Req)
	if err != nil {
		var declared *EchoError
		if errors.As(err, &declared) {
			res.Err = declared
			return nil
		}
		return err
	}
	res.Success = resp
	return nil
}

func protobufEchoHandler(ctx context.Context, handler, arg, result interface{}) error {
	resp, err := handler.(*echoService).Echo(ctx, arg.(*EchoPbArgs).Req)
	if err != nil {
		return err
	}
	result.(*EchoPbResult).Success = resp
	return nil
}

func thriftServiceInfo() *serviceinfo.ServiceInfo {
	return &serviceinfo.ServiceInfo{
		ServiceName: "EchoService",
		HandlerType: (*echoService)(nil),
		Methods: map[string]serviceinfo.MethodInfo{
			"echo": serviceinfo.NewMethodInfo(thriftEchoHandler,
				func() interface{} { return &EchoArgs{} }, func() interface{} { return &EchoResult{} }, false),
		},
		PayloadCodec: serviceinfo.Thrift,
		Extra:        map[string]interface{}{},
	}
}

func protobufServiceInfo() *serviceinfo.ServiceInfo {
	return &serviceinfo.ServiceInfo{
		ServiceName: "echo.EchoService",
		HandlerType: (*echoService)(nil),
		Methods: map[string]serviceinfo.MethodInfo{
			"Echo": serviceinfo.NewMethodInfo(protobufEchoHandler,
				func() interface{} { return &EchoPbArgs{} }, func() interface{} { return &EchoPbResult{} }, false),
		},
		PayloadCodec: serviceinfo.Protobuf,
		Extra:        map[string]interface{}{},
	}
}
