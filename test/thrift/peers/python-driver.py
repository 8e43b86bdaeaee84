"""Apache Thrift (Python) peer for heddle's interop tests.

Reads JSON lines from stdin, one case each, and answers one JSON line per case on stdout:
  {"id", "op": "roundtrip", "struct", "protocol", "hex"}  -> decode with the generated class,
      encode again, answer {"id", "hex"}
  {"id", "op": "encode", "struct", "protocol", "value"}   -> build the object from the value
      (i64 as decimal strings, doubles as strings, binary as hex, maps as [key, value] pairs),
      encode, answer {"id", "hex"}
Errors answer {"id", "error"}. argv[1] is the directory `thrift --gen py` wrote into; argv[2]
the generated module (e.g. corpus.ttypes).
"""
import importlib
import json
import sys

from thrift.Thrift import TType
from thrift.protocol import TBinaryProtocol, TCompactProtocol
from thrift.transport import TTransport

sys.path.insert(0, sys.argv[1])
types = importlib.import_module(sys.argv[2])
PROTOCOLS = {"binary": TBinaryProtocol.TBinaryProtocol, "compact": TCompactProtocol.TCompactProtocol}


def convert(ttype, args, value):
    if ttype == TType.BOOL:
        return bool(value)
    if ttype in (TType.BYTE, TType.I16, TType.I32, TType.I64):
        return int(value)
    if ttype == TType.DOUBLE:
        return float(value)
    if ttype == TType.STRING:
        return bytes.fromhex(value) if args == "BINARY" else value
    if ttype == TType.STRUCT:
        return build(args[0], value)
    if ttype == TType.LIST:
        return [convert(args[0], args[1], item) for item in value]
    if ttype == TType.SET:
        return set(convert(args[0], args[1], item) for item in value)
    if ttype == TType.MAP:
        return {convert(args[0], args[1], k): convert(args[2], args[3], v) for k, v in value}
    raise ValueError("unsupported type %r" % ttype)


def build(cls, value):
    # Exceptions are immutable in generated code: every field goes through the constructor.
    fields = {}
    for spec in cls.thrift_spec:
        if spec is not None and spec[2] in value:
            fields[spec[2]] = convert(spec[1], spec[3], value[spec[2]])
    return cls(**fields)


def encode(instance, protocol):
    transport = TTransport.TMemoryBuffer()
    instance.write(PROTOCOLS[protocol](transport))
    return transport.getvalue()


def decode(cls, data, protocol):
    # Immutable classes (exceptions) read through a classmethod that returns the instance.
    instance = cls()
    result = instance.read(PROTOCOLS[protocol](TTransport.TMemoryBuffer(data)))
    return instance if result is None else result


for line in sys.stdin:
    case = json.loads(line)
    try:
        cls = getattr(types, case["struct"])
        if case["op"] == "roundtrip":
            out = encode(decode(cls, bytes.fromhex(case["hex"]), case["protocol"]), case["protocol"])
        else:
            out = encode(build(cls, case["value"]), case["protocol"])
        answer = {"id": case["id"], "hex": out.hex()}
    except Exception as error:  # every failure is reported to the test, which fails the case
        answer = {"id": case["id"], "error": "%s: %s" % (type(error).__name__, error)}
    sys.stdout.write(json.dumps(answer) + "\n")
