"""Google's Python protobuf (Debian python3-protobuf) as an oracle for heddle's tests.

Reads one JSON request on stdin and writes one JSON response on stdout, so a test file needs one
Python process for its whole corpus. Message classes are built at run time from a serialized
FileDescriptorSet (descriptor_pool + message_factory), so no generated code is involved.

Request: {"cases": [{"set": b64, "type": "pkg.Msg", "op": "parse", "data": b64}
                    | {"set": b64, "type": "pkg.Msg", "op": "text", "text": "..."}]}
Response: {"results": [{"ok": true, "bytes": b64} | {"ok": false, "error": "..."}]}
  parse: parse the bytes, then serialize deterministically (what Python makes of heddle's bytes);
         output that Python cannot read back and write again is reported as a failure.
  text:  parse protobuf text format, then serialize deterministically (Python's own encoding).
"""
import base64
import json
import sys
import warnings

from google.protobuf import descriptor_pb2, descriptor_pool, message_factory, text_format

_pools = {}


def message_class(set_b64, type_name):
    entry = _pools.get(set_b64)
    if entry is None:
        files = descriptor_pb2.FileDescriptorSet.FromString(base64.b64decode(set_b64))
        pool = descriptor_pool.DescriptorPool()
        for file in files.file:
            pool.Add(file)
        entry = (pool, message_factory.MessageFactory(pool))
        _pools[set_b64] = entry
    pool, factory = entry
    return factory.GetPrototype(pool.FindMessageTypeByName(type_name))


def run(case):
    cls = message_class(case["set"], case["type"])
    message = cls()
    try:
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            if case["op"] == "parse":
                message.ParseFromString(base64.b64decode(case["data"]))
            else:
                text_format.Parse(case["text"], message)
        # The C++ backend only warns when parsing stops at a stray end-group tag (b/27494216);
        # protobuf's C++ ParseFromString fails there, and so does the oracle.
        if caught:
            return {"ok": False, "error": "warning: %s" % caught[0].message}
        data = message.SerializeToString(deterministic=True)
        # Python checks required fields when it serializes. The C++ backend skips the check for a
        # map entry whose message value is absent, and writes that value as an empty message,
        # which fails the check once read back. Both encodings mean the same entry, so the oracle
        # judges them alike: it serializes what it wrote once more.
        if case["op"] == "parse":
            cls.FromString(data).SerializeToString(deterministic=True)
    except Exception as error:  # the oracle reports every failure the same way
        return {"ok": False, "error": "%s: %s" % (type(error).__name__, error)}
    return {"ok": True, "bytes": base64.b64encode(data).decode("ascii")}


def main():
    request = json.load(sys.stdin)
    json.dump({"results": [run(case) for case in request["cases"]]}, sys.stdout)


if __name__ == "__main__":
    main()
