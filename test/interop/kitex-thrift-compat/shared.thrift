// A base service and a struct, included by calculator.thrift (the shape of Apache Thrift's tutorial).
namespace go shared

struct SharedStruct {
  1: i32 key
  2: string value
}

service SharedService {
  SharedStruct getStruct(1: i32 key)
}
