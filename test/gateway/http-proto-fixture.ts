/**
 * The Protobuf service the HTTP gateway suites share, with google.api.http rules of every kind:
 * path templates with nested and multi-segment variables, `body: "*"` and `body: "field"`,
 * `response_body`, additional bindings and a custom verb. google/api/http.proto is declared here
 * by its field numbers (the messages heddle reads), not copied.
 */
import { parse } from '../../src-ts/protobuf/index.js';
import { bizStatusError } from '../../src-ts/rpc/index.js';

export const GOOGLE_API_HTTP_PROTO = `
syntax = "proto3";
package google.api;
import "google/protobuf/descriptor.proto";
extend google.protobuf.MethodOptions { HttpRule http = 72295728; }
message HttpRule {
  string selector = 1;
  oneof pattern {
    string get = 2;
    string put = 3;
    string post = 4;
    string delete = 5;
    string patch = 6;
    CustomHttpPattern custom = 8;
  }
  string body = 7;
  string response_body = 12;
  repeated HttpRule additional_bindings = 11;
}
message CustomHttpPattern { string kind = 1; string path = 2; }
`;

export const SHOP_PROTO = `
syntax = "proto3";
package shop.v1;
import "google/api/http.proto";
import "google/protobuf/timestamp.proto";
import "google/protobuf/wrappers.proto";

enum Status { STATUS_UNSPECIFIED = 0; PAID = 1; SHIPPED = 2; }
message Item { int64 sku_id = 1; string title = 2; bytes thumb = 3; }
message Filter { string keyword = 1; repeated Status statuses = 2; }
message OrderRequest {
  string shelf = 1;
  uint64 order_id = 2;
  repeated int64 tags = 3;
  Item item = 4;
  Status status = 5;
  bool urgent = 6;
  double ratio = 7;
  google.protobuf.Timestamp at = 8;
  Filter filter = 9;
  google.protobuf.Int64Value limit = 10;
  optional int32 page = 11;
  string memo = 12;
}
message LabelRequest {
  int64 id = 1;
  map<string, int64> labels = 2;
  map<int32, Status> codes = 3;
  map<bool, string> flags = 4;
  map<string, google.protobuf.Timestamp> times = 5;
  map<uint64, Item> items = 6;
  repeated string names = 7;
  string title = 8;
}
message OrderReply {
  OrderRequest request = 1;
  string note = 2;
  repeated Item items = 3;
  map<string, string> attrs = 4;
}

service Shop {
  rpc GetOrder(OrderRequest) returns (OrderReply) {
    option (google.api.http) = { get: "/v1/{shelf=shelves/*}/orders/{order_id}" };
  }
  rpc CreateOrder(OrderRequest) returns (OrderReply) {
    option (google.api.http) = {
      post: "/v1/orders" body: "*"
      additional_bindings { post: "/v1/{shelf=shelves/*}/orders:create" body: "*" }
    };
  }
  rpc UpdateItem(OrderRequest) returns (OrderReply) {
    option (google.api.http) = { patch: "/v1/orders/{order_id}/item" body: "item" response_body: "request" };
  }
  rpc ListItems(OrderRequest) returns (OrderReply) {
    option (google.api.http) = { get: "/v1/items/{item.sku_id}" response_body: "items" };
  }
  rpc Files(OrderRequest) returns (OrderReply) {
    option (google.api.http) = { custom: { kind: "SEARCH" path: "/v1/files/{memo=**}" } };
  }
  rpc Fail(OrderRequest) returns (OrderReply) {
    option (google.api.http) = { delete: "/v1/orders/{order_id}" };
  }
  rpc Busy(OrderRequest) returns (OrderReply) {
    option (google.api.http) = { put: "/v1/busy" body: "*" };
  }
  rpc Label(LabelRequest) returns (OrderReply) {
    option (google.api.http) = { get: "/v1/labels/{id}" };
  }
}
`;

export const shopRoot = parse(SHOP_PROTO, { filename: 'shop/v1/shop.proto', imports: { 'google/api/http.proto': GOOGLE_API_HTTP_PROTO } });

const reply = async (request: Record<string, unknown>) => ({
  request,
  note: '好的 ok',
  items: request.item === undefined ? [] : [request.item, request.item],
  attrs: { 颜色: '红', k: 'v' },
});

export const shopProtoHandlers = {
  GetOrder: reply,
  CreateOrder: reply,
  UpdateItem: reply,
  ListItems: reply,
  Files: reply,
  Fail: async () => {
    throw new Error('order store unavailable');
  },
  Busy: async () => {
    throw bizStatusError(1001, 'out of stock', { sku: '7' });
  },
  Label: async (request: Record<string, unknown>) => ({ note: JSON.stringify(request, (_key, value: unknown) => (typeof value === 'bigint' ? `${value}n` : value)) }),
};
