// dynamicgo-http: CloudWeGo dynamicgo's HTTP mapping (conv/j2t and conv/t2j with
// EnableHttpMapping, as Kitex's HTTP generic call uses it), run on cases heddle's gateway tests
// also run, so the tests can compare heddle's bound request structs and rendered responses.
//
//	dynamicgo-http <idl> < cases.json
//
// Each case is a request to bind ({"function", "method", "url", "headers", "body", "params"}) or a
// response struct to render ({"function", "response": hex}). One JSON line per case: the request
// struct's bytes as hex, or the response's status, headers and JSON body, or the error.
package main

import (
	"bufio"
	"context"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"os"
	"strings"

	stdhttp "net/http"

	"github.com/cloudwego/dynamicgo/conv"
	"github.com/cloudwego/dynamicgo/conv/j2t"
	"github.com/cloudwego/dynamicgo/conv/t2j"
	dhttp "github.com/cloudwego/dynamicgo/http"
	"github.com/cloudwego/dynamicgo/thrift"
	_ "github.com/cloudwego/dynamicgo/thrift/annotation"
)

type testCase struct {
	Function string            `json:"function"`
	Method   string            `json:"method"`
	URL      string            `json:"url"`
	Headers  map[string]string `json:"headers"`
	Body     string            `json:"body"`
	Params   map[string]string `json:"params"`
	Response string            `json:"response"`
}

type outcome struct {
	Request string              `json:"request,omitempty"`
	Status  int                 `json:"status,omitempty"`
	Headers map[string][]string `json:"headers,omitempty"`
	Body    string              `json:"body,omitempty"`
	Error   string              `json:"error,omitempty"`
}

func bind(ctx context.Context, fn *thrift.FunctionDescriptor, c testCase) outcome {
	req, err := stdhttp.NewRequest(c.Method, c.URL, strings.NewReader(c.Body))
	if err != nil {
		return outcome{Error: err.Error()}
	}
	for k, v := range c.Headers {
		req.Header.Set(k, v)
	}
	var params []dhttp.Param
	for k, v := range c.Params {
		params = append(params, dhttp.Param{Key: k, Value: v})
	}
	hreq, err := dhttp.NewHTTPRequestFromStdReq(req, params...)
	if err != nil {
		return outcome{Error: err.Error()}
	}
	cv := j2t.NewBinaryConv(conv.Options{EnableHttpMapping: true, WriteRequireField: false, ReadHttpValueFallback: false})
	out, err := cv.Do(context.WithValue(ctx, conv.CtxKeyHTTPRequest, hreq), fn.Request().Struct().FieldById(1).Type(), []byte(c.Body))
	if err != nil {
		return outcome{Error: err.Error()}
	}
	return outcome{Request: hex.EncodeToString(out)}
}

func render(ctx context.Context, fn *thrift.FunctionDescriptor, c testCase) outcome {
	wire, err := hex.DecodeString(c.Response)
	if err != nil {
		return outcome{Error: err.Error()}
	}
	resp := dhttp.NewHTTPResponse()
	cv := t2j.NewBinaryConv(conv.Options{EnableHttpMapping: true})
	body, err := cv.Do(context.WithValue(ctx, conv.CtxKeyHTTPResponse, resp), fn.Response().Struct().FieldById(0).Type(), wire)
	if err != nil {
		return outcome{Error: err.Error()}
	}
	return outcome{Status: resp.StatusCode, Headers: resp.Header, Body: string(body)}
}

func main() {
	if len(os.Args) != 2 {
		fmt.Fprintln(os.Stderr, "usage: dynamicgo-http <idl> < cases.json")
		os.Exit(2)
	}
	ctx := context.Background()
	svc, err := thrift.NewDescritorFromPath(ctx, os.Args[1])
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	var cases []testCase
	if err := json.NewDecoder(os.Stdin).Decode(&cases); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	w := bufio.NewWriter(os.Stdout)
	defer w.Flush()
	for _, c := range cases {
		fn, err := svc.LookupFunctionByMethod(c.Function)
		var o outcome
		if err != nil {
			o = outcome{Error: err.Error()}
		} else if c.Response != "" {
			o = render(ctx, fn, c)
		} else {
			o = bind(ctx, fn, c)
		}
		line, _ := json.Marshal(o)
		w.Write(line)
		w.WriteString("\n")
	}
}
