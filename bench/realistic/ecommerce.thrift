// The Thrift twin of ecommerce.proto: the same records, field for field.
namespace js ecommerce

struct Address {
  1: string receiver
  2: string phone
  3: string province
  4: string city
  5: string district
  6: string detail
  7: string zip
}

struct Item {
  1: i64 skuId
  2: string title
  3: i64 priceCents
  4: i32 quantity
  5: map<string, string> attrs
  6: string imageUrl
  7: binary thumbnail
  8: list<string> tags
}

struct Order {
  1: i64 orderId
  2: i64 buyerId
  3: string buyerNick
  4: Address address
  5: list<Item> items
  6: string buyerNote
  7: list<i64> priceHistory
  8: i64 totalCents
  9: i64 createdAt
  10: string platform
  11: binary signature
  12: string trackingNo
}
