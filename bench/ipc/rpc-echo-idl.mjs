// The IDL of the RPC echo benchmark: one binary field, so the payload's bytes are what travels
// (no UTF-8 work), and a reply the server builds from the request's own bytes.
export const blobEchoIdl = `
struct Blob { 1: binary data }
service BlobEcho { Blob echo(1: Blob req) }
`;
