// kitex-otel is a real CloudWeGo Kitex peer traced by github.com/kitex-contrib/obs-opentelemetry,
// for heddle's OpenTelemetry interop tests. Spans go to an in-memory exporter and are printed as
// JSON, so a test can check trace ids and parents across the heddle and Kitex hops.
//
//	kitex-otel server [-propagator tracecontext|b3]
//	        serves EchoService on 127.0.0.1:0 with obs-opentelemetry's server suite, prints
//	        "LISTENING host:port", and when stdin closes stops and prints {"spans":[...]}
//	kitex-otel client -addr host:port [-propagator tracecontext|b3]
//	        starts a root span "kitex-root", makes one echo call under it with obs-opentelemetry's
//	        client suite (TTHeader), and prints {"spans":[...],"error":"..."}
//
// Both print "metrics" too: each histogram data point obs-opentelemetry recorded (name, unit,
// attributes, count), read from a manual reader.
package main

import (
	"bufio"
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"net"
	"os"
	"time"

	"github.com/cloudwego/kitex/client"
	"github.com/cloudwego/kitex/pkg/rpcinfo"
	"github.com/cloudwego/kitex/server"
	"github.com/kitex-contrib/obs-opentelemetry/tracing"
	"go.opentelemetry.io/contrib/propagators/b3"
	"go.opentelemetry.io/otel"
	"go.opentelemetry.io/otel/propagation"
	sdkmetric "go.opentelemetry.io/otel/sdk/metric"
	"go.opentelemetry.io/otel/sdk/metric/metricdata"
	"go.opentelemetry.io/otel/sdk/resource"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"
	semconv "go.opentelemetry.io/otel/semconv/v1.12.0"

	"heddle/kitex-otel/kitex_gen/echo"
	"heddle/kitex-otel/kitex_gen/echo/echoservice"
)

type handler struct{}

func (*handler) Echo(ctx context.Context, req *echo.Request) (*echo.Response, error) {
	return &echo.Response{Action: req.Action, Msg: req.Msg}, nil
}

type jsonPoint struct {
	Name       string            `json:"name"`
	Unit       string            `json:"unit"`
	Attributes map[string]string `json:"attributes"`
	Count      uint64            `json:"count"`
}

type jsonSpan struct {
	Name         string            `json:"name"`
	Kind         string            `json:"kind"`
	TraceID      string            `json:"traceId"`
	SpanID       string            `json:"spanId"`
	ParentSpanID string            `json:"parentSpanId"`
	Status       string            `json:"status"`
	Attributes   map[string]string `json:"attributes"`
}

func main() {
	if len(os.Args) < 2 {
		fmt.Fprintln(os.Stderr, "usage: kitex-otel server|client ...")
		os.Exit(2)
	}
	flags := flag.NewFlagSet(os.Args[1], flag.ExitOnError)
	addr := flags.String("addr", "", "server address (client)")
	propagator := flags.String("propagator", "tracecontext", "tracecontext or b3")
	_ = flags.Parse(os.Args[2:])
	exporter := tracetest.NewInMemoryExporter()
	serviceName := "kitex-otel-" + os.Args[1]
	provider := sdktrace.NewTracerProvider(
		sdktrace.WithSyncer(exporter),
		sdktrace.WithResource(resource.NewSchemaless(semconv.ServiceNameKey.String(serviceName))),
	)
	otel.SetTracerProvider(provider)
	reader := sdkmetric.NewManualReader()
	otel.SetMeterProvider(sdkmetric.NewMeterProvider(
		sdkmetric.WithReader(reader),
		sdkmetric.WithResource(resource.NewSchemaless(semconv.ServiceNameKey.String(serviceName))),
	))
	switch *propagator {
	case "b3":
		otel.SetTextMapPropagator(b3.New())
	default:
		otel.SetTextMapPropagator(propagation.NewCompositeTextMapPropagator(propagation.TraceContext{}, propagation.Baggage{}))
	}
	var result map[string]any
	switch os.Args[1] {
	case "server":
		runServer()
		result = map[string]any{}
	case "client":
		result = runClient(*addr)
	default:
		fmt.Fprintln(os.Stderr, "unknown mode", os.Args[1])
		os.Exit(2)
	}
	_ = provider.ForceFlush(context.Background())
	result["spans"] = spansOf(exporter.GetSpans())
	result["metrics"] = pointsOf(reader)
	out, _ := json.Marshal(result)
	fmt.Println(string(out))
}

func runServer() {
	listener, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		fail(err)
	}
	svr := echoservice.NewServer(&handler{},
		server.WithListener(listener),
		server.WithServerBasicInfo(&rpcinfo.EndpointBasicInfo{ServiceName: "kitex-otel-server"}),
		server.WithSuite(tracing.NewServerSuite()),
		server.WithExitWaitTime(100*time.Millisecond),
	)
	done := make(chan error, 1)
	go func() { done <- svr.Run() }()
	fmt.Printf("LISTENING %s\n", listener.Addr().String())
	_, _ = bufio.NewReader(os.Stdin).ReadString('\n')
	if err := svr.Stop(); err != nil {
		fail(err)
	}
	<-done
}

func runClient(addr string) map[string]any {
	cli, err := echoservice.NewClient("heddle-echo",
		client.WithHostPorts(addr),
		client.WithSuite(tracing.NewClientSuite()),
		client.WithClientBasicInfo(&rpcinfo.EndpointBasicInfo{ServiceName: "kitex-otel-client"}),
		client.WithRPCTimeout(3*time.Second),
	)
	if err != nil {
		fail(err)
	}
	ctx, root := otel.Tracer("kitex-otel").Start(context.Background(), "kitex-root")
	resp, err := cli.Echo(ctx, &echo.Request{Action: "echo", Msg: "traced"})
	root.End()
	out := map[string]any{}
	if err != nil {
		out["error"] = err.Error()
	} else {
		out["msg"] = resp.Msg
	}
	return out
}

func spansOf(stubs tracetest.SpanStubs) []jsonSpan {
	spans := make([]jsonSpan, 0, len(stubs))
	for _, s := range stubs {
		attrs := map[string]string{}
		for _, kv := range s.Attributes {
			attrs[string(kv.Key)] = kv.Value.Emit()
		}
		parent := ""
		if s.Parent.IsValid() {
			parent = s.Parent.SpanID().String()
		}
		spans = append(spans, jsonSpan{
			Name:         s.Name,
			Kind:         s.SpanKind.String(),
			TraceID:      s.SpanContext.TraceID().String(),
			SpanID:       s.SpanContext.SpanID().String(),
			ParentSpanID: parent,
			Status:       s.Status.Code.String(),
			Attributes:   attrs,
		})
	}
	return spans
}

func pointsOf(reader *sdkmetric.ManualReader) []jsonPoint {
	var collected metricdata.ResourceMetrics
	if err := reader.Collect(context.Background(), &collected); err != nil {
		fail(err)
	}
	points := []jsonPoint{}
	for _, scope := range collected.ScopeMetrics {
		for _, m := range scope.Metrics {
			histogram, ok := m.Data.(metricdata.Histogram[float64])
			if !ok {
				continue
			}
			for _, p := range histogram.DataPoints {
				attrs := map[string]string{}
				for _, kv := range p.Attributes.ToSlice() {
					attrs[string(kv.Key)] = kv.Value.Emit()
				}
				points = append(points, jsonPoint{Name: m.Name, Unit: m.Unit, Attributes: attrs, Count: p.Count})
			}
		}
	}
	return points
}

func fail(err error) {
	fmt.Fprintln(os.Stderr, err)
	os.Exit(1)
}
