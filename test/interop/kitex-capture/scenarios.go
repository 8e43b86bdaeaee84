package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"github.com/bytedance/gopkg/cloud/metainfo"
	"github.com/cloudwego/kitex/client"
	"github.com/cloudwego/kitex/pkg/kerrors"
	"github.com/cloudwego/kitex/pkg/rpcinfo"
	"github.com/cloudwego/kitex/pkg/transmeta"
	"github.com/cloudwego/kitex/transport"
)

// Scenario is one recorded call.
type Scenario struct {
	Name string
	// Transport is exactly what the client uses. (A Kitex client ORs protocols into its Framed
	// default and always sends Protobuf over TTHeaderFramed, so only Thrift gets every framing.)
	Transport transport.Protocol
	Protobuf  bool
	Message   string
	// WithMeta sends transient and persistent metainfo, an ACL token and timeouts, and asks for
	// backward values.
	WithMeta bool
}

var scenarios = []Scenario{
	{Name: "ttheader-echo", Transport: transport.TTHeader, Message: "hello over ttheader", WithMeta: true},
	{Name: "ttheader-declared-exception", Transport: transport.TTHeader, Message: raiseDeclared},
	{Name: "ttheader-biz-error", Transport: transport.TTHeader, Message: raiseBiz},
	{Name: "ttheader-application-exception", Transport: transport.TTHeader, Message: raiseApplication},
	{Name: "framed-echo", Transport: transport.Framed, Message: "hello over framed"},
	{Name: "framed-declared-exception", Transport: transport.Framed, Message: raiseDeclared},
	{Name: "ttheader-framed-echo", Transport: transport.TTHeaderFramed, Message: "hello over ttheader-framed", WithMeta: true},
	{Name: "ttheader-framed-biz-error", Transport: transport.TTHeaderFramed, Message: raiseBiz},
	{Name: "purepayload-echo", Transport: transport.PurePayload, Message: "hello unframed"},
	{Name: "protobuf-ttheader-framed-echo", Transport: transport.TTHeaderFramed, Protobuf: true, Message: "hello protobuf ttheader", WithMeta: true},
	{Name: "protobuf-ttheader-framed-biz-error", Transport: transport.TTHeaderFramed, Protobuf: true, Message: raiseBiz},
}

// CaptureIndex is captures.json: versions, then every scenario.
type CaptureIndex struct {
	Kitex     string    `json:"kitex"`
	Go        string    `json:"go"`
	Scenarios []Capture `json:"scenarios"`
}

// Capture is one scenario's recording and what each Go side understood of it.
type Capture struct {
	Name      string              `json:"name"`
	Transport string              `json:"transport"`
	Request   FrameView           `json:"request"`
	Response  FrameView           `json:"response"`
	Server    []ServerObservation `json:"server"`
	Client    ClientObservation   `json:"client"`
}

// ClientObservation is what the Kitex client returned.
type ClientObservation struct {
	Response *EchoResponse     `json:"response,omitempty"`
	Error    *ErrorView        `json:"error,omitempty"`
	Backward map[string]string `json:"backward"`
}

// ErrorView describes the error a call returned.
type ErrorView struct {
	Kind    string            `json:"kind"` // declared, biz or application
	Code    int32             `json:"code"`
	Message string            `json:"message"`
	Extra   map[string]string `json:"extra,omitempty"`
}

func runScenario(sc Scenario, target string, handler *echoService, outDir string) (Capture, error) {
	proxy, err := startProxy(target)
	if err != nil {
		return Capture{}, err
	}
	info := thriftServiceInfo()
	if sc.Protobuf {
		info = protobufServiceInfo()
	}
	options := []client.Option{
		client.WithDestService(info.ServiceName),
		client.WithHostPorts(proxy.Addr()),
		// PurePayload clears the client's default Framed bit; the protocol wanted is then set alone.
		client.WithTransportProtocol(transport.PurePayload),
		client.WithTransportProtocol(sc.Transport),
		client.WithMetaHandler(transmeta.ClientTTHeaderHandler),
		client.WithClientBasicInfo(&rpcinfo.EndpointBasicInfo{ServiceName: "kitex-capture-client", Method: "capture"}),
	}
	if sc.WithMeta {
		options = append(options, client.WithRPCTimeout(3*time.Second), client.WithConnectTimeout(time.Second))
	}
	cli, err := client.NewClient(info, options...)
	if err != nil {
		return Capture{}, err
	}

	ctx := metainfo.WithBackwardValues(context.Background())
	if sc.WithMeta {
		ctx = metainfo.WithValue(ctx, "trace-id", "t-42")
		ctx = metainfo.WithValue(ctx, "gdpr-token", "acl-secret")
		ctx = metainfo.WithPersistentValue(ctx, "tenant", "acme")
	}
	req := &EchoRequest{Message: sc.Message, ID: 42}
	var resp *EchoResponse
	if sc.Protobuf {
		result := &EchoPbResult{}
		err = cli.Call(ctx, "Echo", &EchoPbArgs{Req: req}, result)
		resp = result.Success
	} else {
		result := &EchoResult{}
		err = cli.Call(ctx, "echo", &EchoArgs{Req: req}, result)
		resp = result.Success
		if err == nil && result.Err != nil {
			err = result.Err
		}
	}
	observed := ClientObservation{Backward: orEmpty(metainfo.RecvAllBackwardValues(ctx))}
	if err != nil {
		observed.Error = describeError(err)
	} else {
		observed.Response = resp
	}
	if closer, ok := cli.(interface{ Close() error }); ok {
		_ = closer.Close()
	}
	<-proxy.done

	capture := Capture{Name: sc.Name, Transport: sc.Transport.String(), Server: handler.takeObserved(), Client: observed}
	for _, dir := range []struct {
		suffix string
		bytes  []byte
		view   *FrameView
	}{{"request", proxy.request.Bytes(), &capture.Request}, {"response", proxy.response.Bytes(), &capture.Response}} {
		file := fmt.Sprintf("%s.%s.bin", sc.Name, dir.suffix)
		if err := os.WriteFile(filepath.Join(outDir, file), dir.bytes, 0o644); err != nil {
			return capture, err
		}
		if *dir.view, err = viewFrame(file, dir.bytes); err != nil {
			return capture, err
		}
	}
	return capture, nil
}

func describeError(err error) *ErrorView {
	var declared *EchoError
	if errors.As(err, &declared) {
		return &ErrorView{Kind: "declared", Code: declared.Code, Message: declared.Message}
	}
	if biz, ok := kerrors.FromBizStatusError(err); ok {
		return &ErrorView{Kind: "biz", Code: biz.BizStatusCode(), Message: biz.BizMessage(), Extra: biz.BizExtra()}
	}
	return &ErrorView{Kind: "application", Message: err.Error()}
}
